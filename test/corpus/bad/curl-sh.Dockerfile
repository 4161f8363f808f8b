FROM registry.example.internal/base/debian:12
RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/* \
 # install the tool
 && curl -fsSL https://get.example.com/install.sh \
 | bash
USER 10001
