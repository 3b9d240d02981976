#!/usr/bin/env bash
# Builds the service's image where a container build reaches neither the npm registry nor Docker Hub
# (the npm registry answers a container here with a certificate it cannot verify). The dependencies are
# installed on this machine from the lock file, into a copy of the build context under `.deps/`, which
# the Dockerfile takes instead of running `npm ci`; the base image is local/node:20, made by
# scripts/container-images.sh. Where both registries answer, `docker build -t tasks .` is all it takes.
#
# Usage: scripts/build-image.sh [TAG]      TAG defaults to tasks:local; NODE_IMAGE overrides the base.
# Prints the image's name and size.
set -euo pipefail
cd "$(dirname "$0")/.."
tag=${1:-tasks:local}
node_image=${NODE_IMAGE:-local/node:20}

# Native binaries installed here must run in the image: same OS, CPU and C library.
platform='process.platform+"-"+process.arch+"-"+(process.report.getReport().header.glibcVersionRuntime?"glibc":"musl")'
here=$(node -p "$platform")
there=$(docker run --rm --entrypoint node "$node_image" -p "$platform")
if [ "$here" != "$there" ]; then
  echo "this machine is $here but $node_image is $there: build with the registry (docker build .) instead" >&2
  exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
context=$work/context
mkdir "$context"
# What the Dockerfile reads, from the working tree, without anything built or installed here.
tar -c --exclude=node_modules --exclude=dist --exclude='*.tsbuildinfo' \
  Dockerfile package.json package-lock.json tsconfig.base.json tsconfig.json packages | tar -C "$context" -x

echo "installing the dependencies from package-lock.json outside the build" >&2
(cd "$context" && npm ci --no-audit --no-fund --loglevel=error >&2)
# .deps/ mirrors the context's layout: the Dockerfile copies its contents over /app.
mkdir -p "$context/.deps"
(
  cd "$context"
  mapfile -t installed < <(find . -path ./.deps -prune -o -name node_modules -type d -prune -print)
  for modules in "${installed[@]}"; do
    mkdir -p ".deps/$(dirname "$modules")" && mv "$modules" ".deps/$modules"
  done
)

echo "building $tag on $node_image" >&2
docker build --force-rm --build-arg "NODE_IMAGE=$node_image" -t "$tag" "$context" >"$work/build.log" 2>&1 || {
  cat "$work/build.log" >&2
  exit 1
}
size=$(docker image inspect --format '{{.Size}}' "$tag")
echo "$tag $((size / 1000000)) MB"
