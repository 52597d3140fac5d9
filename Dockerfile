# syntax=docker/dockerfile:1
# marketgram: build with `docker build -t marketgram .`; see docs/operations.md, "Running with Docker".
# Any Node.js image that satisfies package.json "engines" (>= 20.18) works here.
ARG NODE_IMAGE=node:22-bookworm-slim

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
# Graceful stop: marketgram finishes work in progress (up to ~8 s) and saves the store on SIGTERM.
STOPSIGNAL SIGTERM
# Exec form: node is PID 1 and receives SIGTERM directly.
CMD ["node", "dist/main.js"]
