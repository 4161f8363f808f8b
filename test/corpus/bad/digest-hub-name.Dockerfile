# No '/': this is Docker Hub's library/registry.example.internal, not the trusted registry.
FROM registry.example.internal@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
USER 10001
