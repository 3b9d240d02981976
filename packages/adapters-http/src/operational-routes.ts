import type { Registry } from 'prom-client';
import { Router } from 'express';
import { RETRY_AFTER_SECONDS } from './error-handler.js';

/** Probes the app answers outside `/api`, without authentication. */
export interface Health {
  /** True when the service can serve requests now: the database answers and it is not shutting down. */
  ready(): Promise<boolean>;
}

/** `/livez`, `/readyz` and `/metrics`: cheap enough to be called every second. */
export function operationalRoutes(health: Health | undefined, registry: Registry | undefined): Router {
  const router = Router({ caseSensitive: true });
  router.get('/livez', (_req, res) => {
    res.json({ status: 'ok' });
  });
  if (health) {
    router.get('/readyz', async (_req, res) => {
      if (await health.ready()) {
        res.json({ status: 'ready' });
      } else {
        res.status(503).set('Retry-After', String(RETRY_AFTER_SECONDS)).json({ detail: 'Service temporarily unavailable' });
      }
    });
  }
  if (registry) {
    router.get('/metrics', async (_req, res) => {
      res.type(registry.contentType).send(await registry.metrics());
    });
  }
  return router;
}
