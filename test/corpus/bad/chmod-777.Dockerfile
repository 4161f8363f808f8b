FROM registry.example.internal/base/debian:12
COPY app /app
RUN chmod -R 777 /app
USER 10001
