FROM registry.example.internal/base/debian:12
# cida-docker ignore=root-user
USER root
