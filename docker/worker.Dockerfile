# The casebook worker (and, with another entrypoint, the casebook CLI) for docker-compose.yml.
# Build context: the repository root. Runs TypeScript through tsx, as `npm run worker` does.
FROM node:20.20.0-bookworm-slim

WORKDIR /app
# MALLOC_ARENA_MAX=2: fewer glibc malloc arenas for the SDK core's threads; the worker's RSS with
# 500 workflows cached drops by about 100 MB (BENCHMARKS.md, worker memory).
ENV NODE_ENV=production \
    MALLOC_ARENA_MAX=2 \
    CASEBOOK_HOME=/app/.casebook \
    CASEBOOK_LIBRARY_DIR=/app/docs

# Dependencies first so that code changes reuse this layer. --ignore-scripts skips the
# postinstall that provisions the Temporal CLI: the worker talks to the `temporal` service instead.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force

COPY . .
# The state and library folders are volume mount points; owning them lets the node user write.
RUN mkdir -p /app/.casebook /app/docs && chown -R node:node /app/.casebook /app/docs

USER node
ENTRYPOINT ["npx", "tsx"]
CMD ["src/worker.ts"]
