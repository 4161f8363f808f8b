FROM registry.example.internal/base/debian:12
USER 10001
US\
ER 0
