# syntax=docker/dockerfile:1
# The Python kernel (Debian's python3-ipykernel), run as a pod by
# kernels/launcher-k8s. Build from the repository root (nothing is copied):
#   docker build -f deploy/docker/kernel-python.Dockerfile -t workbench/kernel-python:0.1.0 .
# kernels/launcher-k8s sets the pod's command to the kernelspec's argv (the
# default CMD below is the same, for a connection file at
# /var/run/workbench/connection.json); `install`, which its init container
# uses to copy the connection file, comes with coreutils.

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3-ipykernel tini ca-certificates \
 && rm -rf /var/lib/apt/lists/*
RUN groupadd --gid 1000 workbench \
 && useradd --uid 1000 --gid 1000 --create-home --home-dir /home/workbench --shell /bin/bash workbench \
 && mkdir -p /home/workbench/work \
 && chown 1000:1000 /home/workbench/work
ENV HOME=/home/workbench \
    PYTHONUNBUFFERED=1
WORKDIR /home/workbench/work
USER 1000:1000
ENTRYPOINT ["tini", "--"]
CMD ["python3", "-m", "ipykernel_launcher", "-f", "/var/run/workbench/connection.json"]
