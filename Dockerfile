# DevOps Insight: build the TypeScript once, ship only dist/ and production dependencies, run as a
# non-root user. `docker run --env-file .env -p 3000:3000 insight` serves webhooks.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY fixtures/demo ./fixtures/demo
COPY fixtures/mcp ./fixtures/mcp
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production PORT=3000 HOST=0.0.0.0 INSIGHT_DATA_DIR=/var/lib/insight
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY app.yml ./
RUN mkdir -p /var/lib/insight && chown node:node /var/lib/insight
USER node
EXPOSE 3000
# node directly (no npm in between), so SIGTERM from `docker stop` reaches the server's drain.
CMD ["node", "bin/server.js"]
