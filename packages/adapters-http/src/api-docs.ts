import { type NextFunction, type Request, type Response, Router } from 'express';
import swaggerUi from 'swagger-ui-express';
import { buildOpenApiDocument } from './openapi-document.js';

// The reference page loads its script and styles from this service only (no CDN); Swagger UI needs
// inline styles and data: images, nothing else.
const DOCS_CSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";

/** `GET /openapi.json` (the OpenAPI 3.1 document, built once) and `GET /docs` (Swagger UI on it). */
export function apiDocsRoutes(options: { bearerAuth: boolean }): Router {
  const document = JSON.stringify(buildOpenApiDocument(options));
  const router = Router({ caseSensitive: true });
  router.get('/openapi.json', (_req, res) => {
    res.type('application/json').send(document);
  });
  router.use(
    '/docs',
    (_req: Request, res: Response, next: NextFunction) => {
      res.setHeader('Content-Security-Policy', DOCS_CSP);
      next();
    },
    swaggerUi.serveFiles(undefined, { swaggerOptions: { url: '/openapi.json' } }),
    swaggerUi.setup(undefined, { swaggerOptions: { url: '/openapi.json' }, customSiteTitle: 'Tasks API' }),
  );
  return router;
}
