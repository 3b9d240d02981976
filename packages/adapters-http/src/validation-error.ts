/** One entry of a FastAPI-shaped 422 body: what is wrong (`type`), where (`loc`) and the offending input. */
export interface ValidationIssue {
  readonly type: string;
  readonly loc: readonly (string | number)[];
  readonly msg: string;
  readonly input: unknown;
  readonly ctx?: Record<string, unknown>;
}

/** A request the service refuses to act on; answered as 422 `{"detail": [issue, ...]}`. */
export class RequestValidationError extends Error {
  /** For Express's body parser, which keeps the status of an error thrown while it reads a body. */
  readonly status = 422;

  constructor(readonly issues: readonly ValidationIssue[]) {
    super(`Invalid request: ${issues.map((issue) => `${issue.loc.join('.')} ${issue.msg}`).join('; ')}`);
    this.name = 'RequestValidationError';
  }
}

/** The entry FastAPI produces for a field that is absent. */
export function missingIssue(loc: readonly (string | number)[], input: unknown): ValidationIssue {
  return { type: 'missing', loc, msg: 'Field required', input };
}
