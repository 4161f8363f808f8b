ARG REGISTRY=docker.io
ARG TAG=3.12
FROM ${REGISTRY:-registry.example.internal}/library/python:${TAG}
USER 10001
