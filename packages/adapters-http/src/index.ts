export { createHttpApp, type HttpAppOptions } from './create-http-app.js';
export { RETRY_AFTER_SECONDS, type ErrorLogger } from './error-handler.js';
export { toTaskResponse, type TaskResponse } from './task-response.js';
