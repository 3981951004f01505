# syntax=docker/dockerfile:1
# The SQL kernel (kernels/sql: DuckDB and PostgreSQL over the Jupyter wire
# protocol), run as a pod by kernels/launcher-k8s. Build from the repository root:
#   docker build -f deploy/docker/kernel-sql.Dockerfile -t workbench/kernel-sql:0.1.0 .
# The kernel sits where the gateway has it (/opt/workbench/kernels/sql), so
# the argv of the gateway's sql kernelspec runs here unchanged.

FROM node:20-bookworm AS build
WORKDIR /src
# npm ci needs every workspace the lock file names, though only kernels/sql is built.
COPY package.json package-lock.json tsconfig.base.json tsconfig.json lerna.json ./
COPY bin ./bin
COPY scripts ./scripts
COPY core ./core
COPY server ./server
COPY kernels ./kernels
COPY extensions ./extensions
COPY lab-ui ./lab-ui
COPY deploy ./deploy
RUN npm ci --ignore-scripts --no-audit --no-fund \
 && npm rebuild zeromq
RUN node node_modules/typescript/bin/tsc -b kernels/sql
RUN npm prune --omit=dev --ignore-scripts --no-audit --no-fund

FROM node:20-bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini ca-certificates \
 && rm -rf /var/lib/apt/lists/*
RUN groupmod --new-name workbench node \
 && usermod --login workbench --home /home/workbench --move-home node \
 && mkdir -p /home/workbench/work \
 && chown 1000:1000 /home/workbench/work
# node_modules links the workspaces by relative symlinks: keep the layout.
COPY --from=build /src/package.json /opt/workbench/package.json
COPY --from=build /src/node_modules /opt/workbench/node_modules
COPY --from=build /src/core /opt/workbench/core
COPY --from=build /src/kernels /opt/workbench/kernels
ENV HOME=/home/workbench \
    NODE_ENV=production
WORKDIR /home/workbench/work
USER 1000:1000
ENTRYPOINT ["tini", "--"]
CMD ["node", "--expose-gc", "/opt/workbench/kernels/sql/bin/sql-kernel.js", "-f", "/var/run/workbench/connection.json"]
