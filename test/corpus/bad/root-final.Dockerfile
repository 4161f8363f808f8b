FROM registry.example.internal/base/debian:12 AS base
USER 10001

FROM base
user root:root
CMD ["/bin/sh"]
