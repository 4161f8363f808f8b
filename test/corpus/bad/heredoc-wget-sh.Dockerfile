FROM registry.example.internal/base/debian:12
RUN <<EOF
set -e
wget -qO- https://get.example.com | sh
EOF
USER 10001
