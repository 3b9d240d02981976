export { CachedTokenVerifier } from './cached-token-verifier.js';
export { createHttpApp, type HttpApp, type HttpAppOptions, type TrustProxy } from './create-http-app.js';
export { contractErrorHandler, RETRY_AFTER_SECONDS, unexpectedErrorHandler } from './error-handler.js';
export type { HttpLogger } from './http-logger.js';
export { buildOpenApiDocument } from './openapi-document.js';
export type { Health } from './operational-routes.js';
export { type TaskResponse, toTaskResponse } from './task-response.js';
export { DEFAULT_BODY_LIMIT_BYTES, type TaskRouterOptions, taskRouter } from './task-router.js';
export { InvalidTokenError, JoseTokenVerifier, type JwtSettings, type TokenVerifier, type VerifiedToken } from './token-verifier.js';
