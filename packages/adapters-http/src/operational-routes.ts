import { Router } from 'express';
import type { Registry } from 'prom-client';
import { allowMethods } from './allow-methods.js';
import { RETRY_AFTER_SECONDS } from './error-handler.js';
import { sendJson } from './send-json.js';

/** Probes the app answers outside `/api`, without authentication. */
export interface Health {
  /** True when the service can serve requests now: the database answers and it is not shutting down. */
  ready(): Promise<boolean>;
}

/** `/livez`, `/readyz` and `/metrics`: cheap enough to be called every second. */
export function operationalRoutes(health: Health | undefined, registry: Registry | undefined): Router {
  const router = Router({ caseSensitive: true });
  router
    .route('/livez')
    .all(allowMethods('GET'))
    .get((_req, res) => sendJson(res, 200, { status: 'ok' }));
  if (health) {
    router
      .route('/readyz')
      .all(allowMethods('GET'))
      .get(async (_req, res) => {
        if (await health.ready()) {
          sendJson(res, 200, { status: 'ready' });
        } else {
          res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
          sendJson(res, 503, { detail: 'Service temporarily unavailable' });
        }
      });
  }
  if (registry) {
    router
      .route('/metrics')
      .all(allowMethods('GET'))
      .get(async (_req, res) => {
        res.type(registry.contentType).send(await registry.metrics());
      });
  }
  return router;
}
