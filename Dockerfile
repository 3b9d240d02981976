# The service's image. Two stages: the build stage installs every dependency from the lock file,
# compiles, then removes the development dependencies; the runtime stage holds the compiled packages and
# the production dependencies only, and runs as an unprivileged user.
#
#   docker build -t tasks .                       # where the npm registry and Docker Hub answer
#   scripts/build-image.sh                        # where they do not (docs/deploy.md, "Containers")
#
# NODE_IMAGE is the base of both stages: the official Node.js 20 image by default; `local/node:20` made by
# scripts/container-images.sh where no image registry answers.
ARG NODE_IMAGE=node:20.20-bookworm-slim

FROM ${NODE_IMAGE} AS build
# Marks this stage's leftovers (the legacy builder keeps them as untagged images) for `docker image prune`.
LABEL tasks.stage=build
WORKDIR /app
# `.deps/node_modules` is present only in the context scripts/build-image.sh makes: dependencies it
# installed from the same lock file outside the build, for builds that cannot reach the npm registry.
# Without it the wildcard matches nothing and `npm ci` below installs them.
COPY package.json package-lock.json tsconfig.base.json tsconfig.json .dep[s] ./
COPY packages/domain/package.json packages/domain/tsconfig.json packages/domain/
COPY packages/adapters-http/package.json packages/adapters-http/tsconfig.json packages/adapters-http/
COPY packages/adapters-postgres/package.json packages/adapters-postgres/tsconfig.json packages/adapters-postgres/
COPY packages/app/package.json packages/app/tsconfig.json packages/app/
RUN if [ -d node_modules ]; then echo "dependencies from the build context"; else npm ci --no-audit --no-fund; fi
COPY packages packages
RUN npm run build \
 && npm prune --omit=dev --offline --no-audit --no-fund \
 && find node_modules -mindepth 1 -maxdepth 1 -type d -empty -delete \
 && rm -rf packages/*/src packages/*/tsconfig.json \
 && chmod -R a+rX /app

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8000
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/packages packages
# The embedded database is for development; in a container DATABASE_URL points at a real one.
RUN mkdir -p /app/.data && chown node:node /app/.data
USER node
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8000)+'/livez').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# On SIGTERM the service drains for SHUTDOWN_DELAY_MS, then lets requests finish for up to
# SHUTDOWN_TIMEOUT_MS: give `docker stop` (--time / --stop-timeout, compose's stop_grace_period) more
# than both together (15 s with the defaults; Docker's own default is 10 s).
# A larger young generation (fewer short-lived request objects promoted to the old one), and a full
# collection once the old generation has grown by 40 % rather than fourfold (see docs/performance.md).
CMD ["node", "--max-semi-space-size=32", "--heap-growing-percent=40", "packages/app/dist/main.js"]
