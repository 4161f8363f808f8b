FROM registry.example.internal/base/debian:12
COPY --chmod=a+rwx app /app
USER 10001
