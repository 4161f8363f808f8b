FROM registry.example.internal/base/node:20
ARG NPM_TOKEN
ENV DB_PASSWORD=hunter2 \
    AWS_SECRET_ACCESS_KEY=abc
USER 10001
