# syntax=docker/dockerfile:1
# taskhub serve in a container. Built from this checkout, the image serves the demo app; an image of your
# own app is the same with your app in /app (docs/deployment.md).
#   docker build -t taskhub-demo .
#   docker run --rm -p 7071:7071 -e TASKHUB_API_KEY=change-me -v taskhub-data:/app/.taskhub taskhub-demo
# With TASKHUB_STORAGE=postgres://… run as many containers as you like against one database.

FROM node:20-bookworm AS build
WORKDIR /src
COPY package.json package-lock.json ./
# The checkout's dev dependencies build the package; better-sqlite3 compiles here, where g++ is.
RUN npm ci
COPY . .
RUN npm pack && mv taskhub-*.tgz /tmp/taskhub.tgz
WORKDIR /app
RUN npm init -y >/dev/null \
 && npm pkg set type=module \
 && npm pkg set allowScripts.better-sqlite3=true --json \
 && npm install --omit=dev --no-audit --no-fund /tmp/taskhub.tgz

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build --chown=node:node /app /app
RUN mkdir -p /app/.taskhub && chown node:node /app/.taskhub
USER node
EXPOSE 7071
# /healthz needs no API key; /readyz also checks the store (for an orchestrator's readiness probe).
HEALTHCHECK --interval=30s --timeout=3s CMD ["node", "-e", "fetch('http://127.0.0.1:7071/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM (docker stop) lets the work in hand finish: give it --stop-timeout longer than your longest activity.
ENTRYPOINT ["node", "node_modules/taskhub/dist/src/cli/main.js", "serve", "--host", "0.0.0.0", "--log-format", "json"]
CMD ["node_modules/taskhub/dist/examples/demo-app.js"]
