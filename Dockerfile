# syntax=docker/dockerfile:1
# The Fleet Telemetry server. Build from the repository root:
#   docker build -t fleet-telemetry .
#   docker run -v /etc/fleet-telemetry:/etc/fleet-telemetry:ro -p 443:4443 -p 8080:8080 fleet-telemetry
# (/etc/fleet-telemetry on the host holds config.json and the certificate files it names.)

# Stage 1: install the workspace, build, and write a production-only copy of apps/server to /deploy.
FROM node:20.20.2-bookworm-slim AS build
# node-rdkafka compiles librdkafka while it installs: python3, make and g++ for node-gyp,
# OpenSSL and zlib headers for librdkafka's TLS and compression.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ libssl-dev zlib1g-dev \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# The same script tools/deploy-check runs. The cache mount keeps pnpm's store, with node-rdkafka's
# compiled build, between image builds; it is named explicitly because pnpm would otherwise put a
# store of its own on the build's file system, beside /src.
RUN --mount=type=cache,id=fleet-telemetry-pnpm-store,target=/pnpm-store \
  PNPM_FLAGS=--store-dir=/pnpm-store sh deploy/docker/build-server.sh /deploy

# Stage 2: Node.js and the deployable, nothing else.
FROM node:20.20.2-bookworm-slim
# librdkafka links OpenSSL at run time; the CA certificates let it verify Kafka brokers.
RUN apt-get update \
  && apt-get install -y --no-install-recommends libssl3 ca-certificates \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/fleet-telemetry
# Owned by root and not writable by the server's user.
COPY --from=build /deploy ./
RUN ln -s /opt/fleet-telemetry/dist/main.js /usr/local/bin/fleet-telemetry
# The status_port of the mounted config, for the health check below.
ENV NODE_ENV=production \
  STATUS_PORT=8080
# The base image's unprivileged "node" user, by number so Kubernetes can verify runAsNonRoot.
USER 1000:1000
# mTLS (443 as in the reference config, 4443 as in deploy/), status_port, prometheus_metrics_port.
EXPOSE 443 4443 8080 9464
# No curl in slim images: Node asks the status port (GET /status answers 200 ok). Three failures
# 15 s apart give a starting server 45 s (no --start-period: dockerfilelint 1.8 misreads it).
HEALTHCHECK --interval=15s --timeout=5s --retries=3 \
  CMD ["node", "-e", "require('http').get({ host: '127.0.0.1', port: process.env.STATUS_PORT, path: '/status', timeout: 4000 }, (r) => process.exit(r.statusCode === 200 ? 0 : 1)).on('error', () => process.exit(1)).on('timeout', () => process.exit(1))"]
ENTRYPOINT ["fleet-telemetry"]
CMD ["-config=/etc/fleet-telemetry/config.json"]
