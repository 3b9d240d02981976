# syntax=docker/dockerfile:1
# The same steps CI runs: npm ci from the lock file, tsc --build; then a runtime image with production
# dependencies only, the compiled packages, and an unprivileged user.

FROM node:20.20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.base.json tsconfig.json ./
COPY packages/domain/package.json packages/domain/tsconfig.json packages/domain/
COPY packages/adapters-http/package.json packages/adapters-http/tsconfig.json packages/adapters-http/
COPY packages/adapters-postgres/package.json packages/adapters-postgres/tsconfig.json packages/adapters-postgres/
COPY packages/app/package.json packages/app/tsconfig.json packages/app/
RUN npm ci --no-audit --no-fund
COPY packages packages
RUN npm run build

FROM node:20.20-bookworm-slim AS runtime
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8000
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages/domain/package.json packages/domain/
COPY packages/adapters-http/package.json packages/adapters-http/
COPY packages/adapters-postgres/package.json packages/adapters-postgres/
COPY packages/app/package.json packages/app/
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/packages/domain/dist packages/domain/dist
COPY --from=build /app/packages/adapters-http/dist packages/adapters-http/dist
COPY --from=build /app/packages/adapters-postgres/dist packages/adapters-postgres/dist
COPY --from=build /app/packages/app/dist packages/app/dist
# The embedded database is for development; in a container DATABASE_URL points at a real one.
RUN mkdir -p /app/.data && chown node:node /app/.data
USER node
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8000)+'/livez').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# A larger young generation (fewer short-lived request objects promoted to the old one), and a full
# collection once the old generation has grown by 40 % rather than fourfold (see docs/performance.md).
CMD ["node", "--max-semi-space-size=32", "--heap-growing-percent=40", "packages/app/dist/main.js"]
