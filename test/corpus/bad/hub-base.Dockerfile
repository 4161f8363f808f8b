FROM node:20-alpine
USER node
CMD ["node", "server.js"]
