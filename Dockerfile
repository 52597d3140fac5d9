# syntax=docker/dockerfile:1
# marketgram: build with `docker build -t marketgram .`; see docs/operations.md, "Running with Docker".
# The base image is pinned to one Node.js release, so that a rebuild runs the same Node.js; raise it on purpose.
# To pin it fully, append the digest: `docker buildx imagetools inspect node:22.18.0-bookworm-slim` shows it
# (node:22.18.0-bookworm-slim@sha256:<digest>). Any Node.js image that satisfies package.json "engines"
# (>= 20.18) works: `docker build --build-arg NODE_IMAGE=... .`
ARG NODE_IMAGE=node:22.18.0-bookworm-slim

# ---- build: compile TypeScript (src/) to JavaScript (dist/) --------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# ---- runtime: production dependencies and dist/ only, running as the unprivileged node user --
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production DATA_DIR=/app/data
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# The store lives here; a new named volume copies this directory's owner, so node can write to it.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
VOLUME /app/data
# The HTTP listener (HTTP_PORT): Market notifications, the Telegram webhook, /healthz, /readyz, /metrics.
EXPOSE 8080
# Liveness from inside the container, with Node.js (the image has no curl). The listener opens once the start-up
# checks have passed; a first start that imports many chats keeps answering while it works.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.HTTP_PORT || 8080) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Graceful stop: marketgram finishes work in progress (up to ~8 s) and saves the store on SIGTERM.
STOPSIGNAL SIGTERM
# Exec form: node is PID 1 and receives SIGTERM directly.
CMD ["node", "dist/main.js"]
