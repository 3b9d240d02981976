#!/usr/bin/env bash
# Makes sure what the container tests and images need is here: a Docker engine that answers, plus
# debootstrap (for scripts/container-images.sh) and docker-compose (for compose.yaml). Installs Debian's
# docker.io, debootstrap and docker-compose when missing (as root, with apt-get), and starts dockerd in
# the background when no engine answers. Messages go to stderr; stdout gets the pid of a dockerd it
# started (nothing when an engine already answered), so a caller can stop it again.
set -euo pipefail
log=${DOCKERD_LOG:-/tmp/tasks-dockerd.log}

engine_answers() { docker info >/dev/null 2>&1; }

packages=()
command -v debootstrap >/dev/null || [ -x /usr/sbin/debootstrap ] || packages+=(debootstrap)
command -v docker-compose >/dev/null || packages+=(docker-compose)
# The client, and the engine unless one already answers (on DOCKER_HOST, say).
if ! command -v docker >/dev/null || { ! engine_answers && ! command -v dockerd >/dev/null; }; then packages+=(docker.io); fi
if [ ${#packages[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    echo "missing: ${packages[*]} (Debian packages); install them, start dockerd, and run this again" >&2
    exit 1
  fi
  echo "installing ${packages[*]} from Debian's packages" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null
fi

if engine_answers; then
  echo "Docker engine $(docker version --format '{{.Server.Version}}') answers" >&2
  exit 0
fi
echo "starting dockerd (log: $log)" >&2
dockerd >"$log" 2>&1 &
pid=$!
for _ in $(seq 120); do
  if engine_answers; then
    echo "Docker engine $(docker version --format '{{.Server.Version}}') started, pid $pid" >&2
    echo "$pid"
    exit 0
  fi
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.5
done
echo "dockerd did not start:" >&2
tail -20 "$log" >&2
kill "$pid" 2>/dev/null || true
exit 1
