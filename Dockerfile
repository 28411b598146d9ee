# shipgate: one image for both processes.
#   worker (default): node dist/worker/main.js
#   API:              node dist/api/server.js
# The worker bundles its workflow code from dist/workflows/index.js when it starts, so the image
# carries the compiled JavaScript and the production dependencies (webpack, swc) that bundling needs.
# Written for the classic builder as well as BuildKit (docker-compose v1 uses the classic one).

ARG NODE_IMAGE=node:20-bookworm-slim

# --- build: all dependencies, compile TypeScript to dist/ ---
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# --- deps: production dependencies only, resolved from the same lockfile ---
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# --- runtime ---
FROM ${NODE_IMAGE} AS runtime

# git: every activity that touches a working copy shells out to it; ca-certificates and
# openssh-client let it reach https and ssh remotes. tini reaps the test and deploy commands
# the worker spawns and forwards SIGTERM, so the worker can drain before it stops.
RUN apt-get update \
  && apt-get install -y --no-install-recommends git ca-certificates openssh-client tini \
  && rm -rf /var/lib/apt/lists/*

# The application files stay owned by root, so the service cannot rewrite its own code. The two
# state folders exist in the image, owned by shipgate, so that fresh named volumes mounted on
# them inherit that owner.
RUN groupadd --system shipgate \
  && useradd --system --gid shipgate --create-home --home-dir /home/shipgate --shell /usr/sbin/nologin shipgate \
  && mkdir -p /etc/shipgate /srv/repositories /var/lib/shipgate \
  && chown shipgate:shipgate /srv/repositories /var/lib/shipgate

WORKDIR /app
COPY package.json ./
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# dist/sample/create-sample.js copies its application from here.
COPY --from=build /app/sample/app ./sample/app

ENV NODE_ENV=production \
    SHIPGATE_CONFIG=/etc/shipgate/shipgate.config.yaml \
    SHIPGATE_DATA_DIR=/var/lib/shipgate

USER shipgate
EXPOSE 3000
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/worker/main.js"]
