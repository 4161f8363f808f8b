FROM registry.example.internal/base/debian:12 AS base
RUN <<EOF
set -eu
apt-get update
apt-get install -y --no-install-recommends ca-certificates curl
rm -rf /var/lib/apt/lists/*
useradd --uid 10001 --create-home svc
EOF
USER svc

FROM base
WORKDIR /home/svc
COPY --chown=svc:svc --chmod=755 run.sh ./run.sh
# Deliberate: this service is probed by the load balancer, not by the engine.
HEALTHCHECK NONE
CMD ["./run.sh"]
