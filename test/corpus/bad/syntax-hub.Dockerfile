# syntax=docker/dockerfile:1.7
FROM registry.example.internal/base/debian:12
USER 10001
