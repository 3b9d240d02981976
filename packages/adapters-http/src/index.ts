export { createHttpApp, type HttpApp, type HttpAppOptions, type TrustProxy } from './create-http-app.js';
export { taskRouter, type TaskRouterOptions, DEFAULT_BODY_LIMIT_BYTES } from './task-router.js';
export { contractErrorHandler, unexpectedErrorHandler, RETRY_AFTER_SECONDS } from './error-handler.js';
export type { HttpLogger } from './http-logger.js';
export type { Health } from './operational-routes.js';
export { toTaskResponse, type TaskResponse } from './task-response.js';
export { buildOpenApiDocument } from './openapi-document.js';
export { JoseTokenVerifier, InvalidTokenError, type TokenVerifier, type VerifiedToken, type JwtSettings } from './token-verifier.js';
export { CachedTokenVerifier } from './cached-token-verifier.js';
