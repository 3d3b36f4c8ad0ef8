# Gantry's container image: `docker build -t gantry:0.1.0 .`
# Runs as the unprivileged `node` user (uid 1000) and writes only to its data volume
# (/var/lib/gantry), so it works with a read-only root filesystem (deploy/kubernetes/).

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY server ./server
COPY resolvers ./resolvers
COPY services ./services
COPY embedded-cluster ./embedded-cluster
COPY db ./db
COPY schema ./schema
COPY migrations ./migrations
COPY console ./console
# dist/ with schema/, migrations/ and the built console copied in; then only what runs stays in node_modules.
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4000 \
    GANTRY_DATA_DIR=/var/lib/gantry
WORKDIR /app
# Owned by root and not writable by the user that runs: the code cannot be changed at run time.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
RUN mkdir -p /var/lib/gantry && chown node:node /var/lib/gantry
VOLUME ["/var/lib/gantry"]
USER node
EXPOSE 4000
HEALTHCHECK --interval=10s --timeout=3s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:4000/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node directly (not npm): npm exits on SIGTERM without waiting, which would skip the graceful shutdown.
CMD ["node", "dist/server/main.js"]
