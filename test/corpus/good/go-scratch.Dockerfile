ARG GO_VERSION=1.22
FROM --platform=$BUILDPLATFORM registry.example.internal/base/golang:${GO_VERSION} AS build
ARG TARGETOS TARGETARCH
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
RUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/svc ./cmd/svc
RUN echo 'svc:x:10001:10001::/:/sbin/nologin' > /out/passwd

FROM scratch
COPY --from=build /out/passwd /etc/passwd
COPY --from=build /out/svc /svc
USER 10001
EXPOSE 9000
HEALTHCHECK CMD ["/svc", "-healthcheck"]
ENTRYPOINT ["/svc"]
