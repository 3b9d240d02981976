#!/usr/bin/env bash
# What the Dockerfile's runtime stage holds, without Docker: production dependencies only (npm ci --omit=dev),
# the compiled packages, then starts the service on DATABASE_URL and probes /livez and /readyz.
# Proves the image would not miss a runtime dependency. Usage: scripts/check-production-install.sh DATABASE_URL
set -euo pipefail
cd "$(dirname "$0")/.."
database_url=${1:?usage: $0 DATABASE_URL}
npm run build --silent
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
cp package.json package-lock.json "$work/"
for package in domain adapters-http adapters-postgres app; do
  mkdir -p "$work/packages/$package"
  cp "packages/$package/package.json" "$work/packages/$package/"
  cp -r "packages/$package/dist" "$work/packages/$package/dist"
done
(cd "$work" && npm ci --omit=dev --no-audit --no-fund --loglevel=error)
port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
(cd "$work" && NODE_ENV=production DATABASE_URL=$database_url PORT=$port HOST=127.0.0.1 exec node packages/app/dist/main.js) &
pid=$!
for _ in $(seq 100); do
  curl -fsS "http://127.0.0.1:$port/livez" >/dev/null 2>&1 && break
  kill -0 "$pid" 2>/dev/null || { echo "service exited"; exit 1; }
  sleep 0.2
done
curl -fsS "http://127.0.0.1:$port/livez"; echo
curl -fsS "http://127.0.0.1:$port/readyz"; echo
kill -TERM "$pid"; wait "$pid"
echo "production install: ok"
