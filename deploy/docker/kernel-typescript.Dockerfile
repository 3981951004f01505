# syntax=docker/dockerfile:1
# The TypeScript and JavaScript kernels (tslab on Node 20), run as pods by
# kernels/launcher-k8s. Build from the repository root (nothing is copied):
#   docker build -f deploy/docker/kernel-typescript.Dockerfile -t workbench/kernel-typescript:0.1.0 .
# tslab sits where the gateway has it (/opt/workbench/node_modules/tslab), so
# the argv of the gateway's tslab and jslab kernelspecs runs here unchanged.

FROM node:20-bookworm AS build
# The version server/app depends on.
RUN npm install --prefix /opt/workbench --omit=dev --no-audit --no-fund tslab@1.0.22

FROM node:20-bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini ca-certificates \
 && rm -rf /var/lib/apt/lists/*
RUN groupmod --new-name workbench node \
 && usermod --login workbench --home /home/workbench --move-home node \
 && mkdir -p /home/workbench/work \
 && chown 1000:1000 /home/workbench/work
COPY --from=build /opt/workbench /opt/workbench
ENV HOME=/home/workbench \
    NODE_PATH=/opt/workbench/node_modules
WORKDIR /home/workbench/work
USER 1000:1000
ENTRYPOINT ["tini", "--"]
CMD ["node", "/opt/workbench/node_modules/tslab/bin/tslab", "kernel", "--config-path", "/var/run/workbench/connection.json"]
