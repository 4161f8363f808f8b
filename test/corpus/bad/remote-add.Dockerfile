FROM registry.example.internal/base/debian:12
ADD https://downloads.example.com/tool-1.2.tar.gz /opt/
USER 10001
