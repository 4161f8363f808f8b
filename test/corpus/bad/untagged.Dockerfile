FROM registry.example.internal/base/debian
USER 10001
