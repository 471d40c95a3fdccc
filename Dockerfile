# Image for the syndicator roles in docker-compose.yml.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -o /out/syndicator ./cmd/syndicator \
 && CGO_ENABLED=0 go build -trimpath -o /out/govsim ./cmd/govsim

FROM gcr.io/distroless/static-debian12
COPY --from=build /out/ /usr/local/bin/
USER nonroot
ENTRYPOINT ["/usr/local/bin/syndicator"]
