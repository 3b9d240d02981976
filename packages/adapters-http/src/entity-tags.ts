import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ExpectedVersions, Task } from '@tasks/domain';

/** The strong entity tag of a task's current version (RFC 9110): changes whenever the task does. */
export function entityTag(task: Task): string {
  return `"${task.version}"`;
}

const TAG = /\s*(W\/)?"([^"]*)"\s*(?:,|$)/gy;

/**
 * The tags of an If-Match or If-None-Match header: `*`, or each tag with whether it is weak. A header
 * that is not entirely a list of tags names no tag at all.
 */
function parseTags(header: string): '*' | { weak: boolean; opaque: string }[] {
  if (header.trim() === '*') return '*';
  const tags: { weak: boolean; opaque: string }[] = [];
  TAG.lastIndex = 0;
  let end = 0;
  for (let match = TAG.exec(header); match && match[0] !== ''; match = TAG.exec(header)) {
    tags.push({ weak: match[1] !== undefined, opaque: match[2]! });
    end = TAG.lastIndex;
  }
  return end === header.length ? tags : [];
}

/**
 * The versions an `If-Match` header allows: undefined without the header (or with `*`, which any
 * existing task satisfies). Comparison is strong, so a weak tag or a malformed one matches no version,
 * and the change is refused with 412 if the task exists.
 */
export function expectedVersions(req: IncomingMessage): ExpectedVersions {
  const header = req.headers['if-match'];
  if (header === undefined) return undefined;
  const tags = parseTags(header);
  if (tags === '*') return undefined;
  // Strong comparison is character for character: "01" is not the tag "1".
  return tags.filter((tag) => !tag.weak && /^(0|[1-9]\d{0,8})$/.test(tag.opaque)).map((tag) => Number(tag.opaque));
}

/** True when `If-None-Match` names the task's current version (weak comparison, as RFC 9110 says for GET). */
export function notModified(req: IncomingMessage, task: Task): boolean {
  const header = req.headers['if-none-match'];
  if (header === undefined) return false;
  const tags = parseTags(header);
  return tags === '*' || tags.some((tag) => tag.opaque === String(task.version));
}

/** Sets the ETag of a response that carries one task. */
export function setEntityTag(res: ServerResponse, task: Task): void {
  res.setHeader('ETag', entityTag(task));
}
