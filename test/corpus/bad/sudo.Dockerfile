FROM registry.example.internal/base/debian:12
RUN useradd -u 10001 app && apt-get update && apt-get install -y sudo && rm -rf /var/lib/apt/lists/*
USER app
RUN sudo mkdir /data
