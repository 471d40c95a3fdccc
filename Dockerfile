# Image for the syndicator roles in docker-compose.yml (and govsim).
# The Go version is go.mod's `go` line; the build copies only the module
# files and the package directories (see also .dockerignore).
FROM golang:1.26.8 AS build
WORKDIR /src
ENV CGO_ENABLED=0 GOFLAGS=-buildvcs=false
COPY go.mod go.sum ./
RUN go mod download
COPY cmd/ cmd/
COPY config/ config/
COPY console/ console/
COPY crawler/ crawler/
COPY httpapi/ httpapi/
COPY sinks/ sinks/
COPY syndicator/ syndicator/
RUN go build -trimpath -o /out/ ./cmd/syndicator ./cmd/govsim \
 && mkdir -p /state

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/ /usr/local/bin/
# data_dir of examples/compose.yaml, owned by nonroot so that a volume
# mounted there starts out writable.
COPY --from=build --chown=nonroot:nonroot /state /var/lib/syndicator
WORKDIR /var/lib/syndicator
USER nonroot
ENTRYPOINT ["/usr/local/bin/syndicator"]
