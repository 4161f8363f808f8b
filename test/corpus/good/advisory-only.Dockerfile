# Advice only: approvable, with info findings (and one silenced).
FROM registry.example.internal/base/ubuntu:24.04
RUN apt-get update && apt-get install -y curl
# cida-docker ignore=privileged-port
EXPOSE 443
RUN useradd -u 10001 web
CMD ["/usr/local/bin/web"]
USER web
