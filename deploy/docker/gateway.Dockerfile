# syntax=docker/dockerfile:1
# The Workbench gateway: the server (bin/workbench.js) with the JupyterLab UI,
# starting kernels as pods. Build from the repository root:
#   docker build -f deploy/docker/gateway.Dockerfile -t workbench/gateway:0.1.0 .
# Runs as uid 1000; the token comes from the environment (JUPYTER_TOKEN) at
# run time, never from the image.

FROM node:20-bookworm AS build
WORKDIR /src
# Every workspace is copied: npm ci needs all the package.json files the lock file names.
COPY package.json package-lock.json tsconfig.base.json tsconfig.json lerna.json ./
COPY bin ./bin
COPY scripts ./scripts
COPY core ./core
COPY server ./server
COPY kernels ./kernels
COPY extensions ./extensions
COPY lab-ui ./lab-ui
COPY deploy ./deploy
# --ignore-scripts skips the root postinstall (it installs Debian packages for
# local kernels and tests); only the native modules the gateway loads are built.
RUN npm ci --ignore-scripts --no-audit --no-fund \
 && npm rebuild node-pty zeromq
RUN node node_modules/typescript/bin/tsc -b \
 && node lab-ui/scripts/build.js
RUN npm prune --omit=dev --ignore-scripts --no-audit --no-fund

FROM node:20-bookworm-slim
# git: notebook versioning; tini: signals and zombie reaping for PID 1.
RUN apt-get update \
 && apt-get install -y --no-install-recommends git tini ca-certificates \
 && rm -rf /var/lib/apt/lists/*
# The node image's user 1000 becomes workbench.
RUN groupmod --new-name workbench node \
 && usermod --login workbench --home /home/workbench --move-home node
# Owned by root: the server cannot change its own code.
COPY --from=build /src /opt/workbench
# The python3 kernelspec kernels/launcher-k8s runs in the kernel-python image
# (the gateway itself has no Python).
COPY deploy/docker/kernelspecs/python3 /usr/local/share/jupyter/kernels/python3
ENV NODE_ENV=production \
    HOME=/home/workbench
WORKDIR /home/workbench
USER 1000:1000
EXPOSE 8888
ENTRYPOINT ["tini", "--", "node", "/opt/workbench/bin/workbench.js"]
CMD ["--ip", "0.0.0.0", "--no-browser", "--config", "/etc/workbench/config.json"]
