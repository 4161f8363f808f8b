ARG TAG=latest
FROM registry.example.internal/base/debian:${TAG}
USER 10001
