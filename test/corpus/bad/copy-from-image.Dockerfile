FROM registry.example.internal/base/alpine:3.20
COPY --from=busybox:1.36 /bin/busybox /bin/busybox
RUN --mount=type=bind,from=alpine:3.20,target=/mnt ls /mnt
USER 10001
