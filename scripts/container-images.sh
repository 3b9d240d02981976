#!/usr/bin/env bash
# Makes, from Debian's packages only, the container images for machines where no image registry
# answers, and prints their names:
#   local/debian:bookworm   a minimal Debian made with debootstrap from the machine's own apt mirror
#   local/postgres:15       PostgreSQL 15 that behaves like the official `postgres` image for what
#                           Testcontainers' PostgreSqlContainer relies on (POSTGRES_USER, POSTGRES_PASSWORD,
#                           POSTGRES_DB, port 5432 on all addresses with password authentication,
#                           pg_isready on the path, and ready only once initialisation is over)
#   local/node:20           this machine's Node.js and npm on that Debian, a base for the Dockerfile
# Idempotent: an image that exists is kept; FORCE=1 rebuilds them all. Needs root (debootstrap); installs
# and starts a Docker engine when none answers (scripts/container-engine.sh).
# Where Docker Hub answers none of this is needed: the official images stay the defaults.
set -euo pipefail

# An engine that answers, and debootstrap: installed and started when missing (a dockerd started here
# keeps running; its pid is printed on stderr).
"$(dirname "$0")/container-engine.sh" >/dev/null

BASE_IMAGE=local/debian:bookworm
POSTGRES_IMAGE=local/postgres:15
NODE_IMAGE=local/node:20
FORCE=${FORCE:-0}

have() { [ "$FORCE" != 1 ] && docker image inspect "$1" >/dev/null 2>&1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The mirror apt already uses here, so the image's packages come from where the machine's do.
mirror() {
  local uri
  uri=$(grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}' | grep -v security | head -1 || true)
  [ -n "$uri" ] || uri=$(grep -hs '^deb ' /etc/apt/sources.list | awk '{print $2}' | head -1 || true)
  echo "${uri:-http://deb.debian.org/debian}"
}

if ! have "$BASE_IMAGE"; then
  echo "making $BASE_IMAGE with debootstrap from $(mirror)" >&2
  debootstrap --variant=minbase bookworm "$work/rootfs" "$(mirror)" >"$work/debootstrap.log" 2>&1 || {
    tail -20 "$work/debootstrap.log" >&2
    exit 1
  }
  # The downloaded packages and package lists are not part of the system (an image that needs a
  # package runs apt-get update, as with the official images).
  rm -rf "$work/rootfs"/var/cache/apt/archives/*.deb "$work/rootfs"/var/cache/apt/*.bin "$work/rootfs"/var/lib/apt/lists/*
  tar -C "$work/rootfs" -c . | docker import - "$BASE_IMAGE" >/dev/null
  rm -rf "$work/rootfs"
fi

if ! have "$POSTGRES_IMAGE"; then
  echo "building $POSTGRES_IMAGE" >&2
  mkdir -p "$work/postgres"
  cat >"$work/postgres/Dockerfile" <<EOF
FROM $BASE_IMAGE
# No cluster at install: the entrypoint makes one from the POSTGRES_* variables at first start.
RUN mkdir -p /etc/postgresql-common/createcluster.d \\
 && echo 'create_main_cluster = false' > /etc/postgresql-common/createcluster.d/no-main-cluster.conf \\
 && apt-get update -qq \\
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql-15 >/dev/null \\
 && rm -rf /var/lib/apt/lists/*
ENV PATH=/usr/lib/postgresql/15/bin:\$PATH PGDATA=/var/lib/postgresql/data
RUN mkdir -p "\$PGDATA" /var/run/postgresql && chown -R postgres:postgres /var/lib/postgresql /var/run/postgresql
COPY entrypoint.sh /usr/local/bin/entrypoint.sh
EXPOSE 5432
STOPSIGNAL SIGINT
ENTRYPOINT ["entrypoint.sh"]
CMD ["postgres"]
EOF
  cat >"$work/postgres/entrypoint.sh" <<'EOF'
#!/bin/sh
# Like the official image's entrypoint, for what clients rely on: a first start makes the cluster from
# POSTGRES_USER, POSTGRES_PASSWORD and POSTGRES_DB with a server that listens on its socket only, so
# nothing outside can see it ready before initialisation is over; then the real server listens on all
# addresses and asks every TCP client for its password.
set -eu
if [ "${1:-}" = postgres ] && [ "$(id -u)" = 0 ]; then
  chown -R postgres:postgres "$PGDATA" /var/run/postgresql
  # setpriv replaces this process (runuser would stay as PID 1 and not pass `docker stop`'s signal on).
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi
if [ "${1:-}" = postgres ] && [ ! -s "$PGDATA/PG_VERSION" ]; then
  : "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD must be set}"
  user=${POSTGRES_USER:-postgres}
  db=${POSTGRES_DB:-$user}
  pwfile=$(mktemp)
  printf '%s' "$POSTGRES_PASSWORD" >"$pwfile"
  initdb -D "$PGDATA" -U "$user" --pwfile="$pwfile" --auth-local=trust --auth-host=scram-sha-256 \
    --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  rm -f "$pwfile"
  printf 'host all all 0.0.0.0/0 scram-sha-256\nhost all all ::/0 scram-sha-256\n' >>"$PGDATA/pg_hba.conf"
  pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start >/dev/null
  if [ "$db" != postgres ]; then
    psql -v ON_ERROR_STOP=1 -q -U "$user" -d postgres -c "create database \"$db\"" >/dev/null
  fi
  pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
  echo 'PostgreSQL init process complete; ready for start up.'
fi
if [ "${1:-}" = postgres ]; then
  shift
  exec postgres -D "$PGDATA" -c listen_addresses='*' "$@"
fi
exec "$@"
EOF
  chmod +x "$work/postgres/entrypoint.sh"
  docker build -q -t "$POSTGRES_IMAGE" "$work/postgres" >/dev/null
fi

if ! have "$NODE_IMAGE"; then
  echo "building $NODE_IMAGE from $(node --version) on this machine" >&2
  mkdir -p "$work/node/npm"
  cp "$(readlink -f "$(command -v node)")" "$work/node/node"
  cp -a "$(npm root -g)/npm/." "$work/node/npm/"
  cat >"$work/node/Dockerfile" <<EOF
FROM $BASE_IMAGE
COPY node /usr/local/bin/node
COPY npm /usr/local/lib/node_modules/npm
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \\
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \\
 && groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/sh --create-home node \\
 && node --version && npm --version
EOF
  docker build -q -t "$NODE_IMAGE" "$work/node" >/dev/null
fi

echo "$BASE_IMAGE"
echo "$POSTGRES_IMAGE"
echo "$NODE_IMAGE"
