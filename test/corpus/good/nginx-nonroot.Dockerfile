FROM registry.example.internal/base/node:20.11 AS site
WORKDIR /site
COPY package*.json ./
RUN npm ci
COPY . .
RUN npm run build

FROM registry.example.internal/base/nginx:1.27-alpine
# Root work first, then drop to the nginx user for good.
RUN apk add --no-cache tini \
 && chown -R nginx:nginx /var/cache/nginx /var/log/nginx \
 && chmod -R g+w /var/cache/nginx \
 && touch /var/run/nginx.pid && chown nginx:nginx /var/run/nginx.pid
COPY nginx.conf /etc/nginx/nginx.conf
COPY --from=site --chown=nginx:nginx /site/dist /usr/share/nginx/html
USER nginx
EXPOSE 8080
HEALTHCHECK CMD wget -q -O /dev/null http://127.0.0.1:8080/ || exit 1
ENTRYPOINT ["/sbin/tini", "--"]
CMD ["nginx", "-g", "daemon off;"]
