import { Router } from 'express';
import helmet from 'helmet';
import swaggerUi from 'swagger-ui-express';
import { allowMethods } from './allow-methods.js';
import { buildOpenApiDocument } from './openapi-document.js';

// The reference page loads its script and styles from this service only (no CDN); Swagger UI needs
// inline styles and data: images, nothing else.
const docsPolicy = helmet.contentSecurityPolicy({
  useDefaults: false,
  directives: {
    defaultSrc: ["'none'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'", "'unsafe-inline'"],
    imgSrc: ["'self'", 'data:'],
    connectSrc: ["'self'"],
    frameAncestors: ["'none'"],
  },
});

/** `GET /openapi.json` (the OpenAPI 3.1 document, built once) and `GET /docs` (Swagger UI on it). */
export function apiDocsRoutes(options: { bearerAuth: boolean; rateLimited: boolean }): Router {
  const document = JSON.stringify(buildOpenApiDocument(options));
  const router = Router({ caseSensitive: true });
  router
    .route('/openapi.json')
    .all(allowMethods('GET'))
    .get((_req, res) => {
      res.type('application/json').send(document);
    });
  router.use(
    '/docs',
    allowMethods('GET'),
    docsPolicy,
    swaggerUi.serveFiles(undefined, { swaggerOptions: { url: '/openapi.json' } }),
    swaggerUi.setup(undefined, { swaggerOptions: { url: '/openapi.json' }, customSiteTitle: 'Tasks API' }),
  );
  return router;
}
