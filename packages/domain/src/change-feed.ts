import type { Task } from './task.js';
import { InvalidChangeTokenError } from './task-errors.js';

/** How many days deleted tasks stay in the feed unless configured otherwise. */
export const DEFAULT_CHANGES_RETENTION_DAYS = 30;
/** How many changes a page of the feed holds unless the client asks for fewer. */
export const CHANGES_PAGE_DEFAULT = 500;
/** Most changes one page of the feed may hold. */
export const CHANGES_PAGE_MAX = 1000;

/**
 * A place in a user's feed: after change `change` and, among the tasks that change touched (a bulk action
 * touches many), after task `taskId`. Changes are numbered per user, in the order they committed.
 */
export interface FeedPosition {
  readonly change: number;
  readonly taskId: number;
}

/** Before every change: where a client with no state starts. */
export const FEED_START: FeedPosition = { change: 0, taskId: 0 };

/** After every task of change `change`. */
export const afterChange = (change: number): FeedPosition => ({ change, taskId: Number.MAX_SAFE_INTEGER });

/** One entry of the feed: a task as it is after its last change, or a task that was deleted. */
export type TaskChange =
  | { readonly kind: 'upsert'; readonly change: number; readonly task: Task }
  | { readonly kind: 'delete'; readonly change: number; readonly taskId: number; readonly deletedAt: Date };

/** Where an entry of the feed sits. */
export const positionOf = (entry: TaskChange): FeedPosition => ({ change: entry.change, taskId: entry.kind === 'upsert' ? entry.task.id : entry.taskId });

/** A batch of a user's feed, as the store read it in one snapshot. */
export interface ChangeBatch {
  /** The entries after the position asked for, in order. */
  readonly changes: TaskChange[];
  /** Whether more entries follow the last of these. */
  readonly more: boolean;
  /** The last change whose deletions the store has forgotten (0: none): a client behind it may have missed one. */
  readonly forgottenThrough: number;
}

/**
 * What a feed token holds: whose feed, the position, the horizon of forgotten deletions the client's
 * state is consistent with, and when it was issued. Opaque to clients.
 */
export interface FeedToken {
  readonly userId: string;
  readonly position: FeedPosition;
  readonly horizon: number;
  readonly issuedAt: Date;
}

const TOKEN_VERSION = 1;

function toBase64Url(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): string {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new InvalidChangeTokenError();
  const binary = atob(text.replaceAll('-', '+').replaceAll('_', '/'));
  return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
}

/** The token as clients see it: base64url of a small JSON array. */
export function encodeFeedToken(token: FeedToken): string {
  return toBase64Url(
    JSON.stringify([TOKEN_VERSION, token.userId, token.position.change, token.position.taskId, token.horizon, Math.floor(token.issuedAt.getTime() / 1000)]),
  );
}

const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;

/** Reads a token this service issued for this user; throws `InvalidChangeTokenError` for anything else. */
export function decodeFeedToken(text: string, userId: string): FeedToken {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fromBase64Url(text));
  } catch {
    throw new InvalidChangeTokenError();
  }
  if (!Array.isArray(parsed) || parsed.length !== 6) throw new InvalidChangeTokenError();
  const [version, owner, change, taskId, horizon, issuedAt] = parsed as unknown[];
  if (version !== TOKEN_VERSION || owner !== userId || ![change, taskId, horizon, issuedAt].every(isCount)) throw new InvalidChangeTokenError();
  return {
    userId,
    position: { change: change as number, taskId: taskId as number },
    horizon: horizon as number,
    issuedAt: new Date((issuedAt as number) * 1000),
  };
}

/** Whether position `a` comes after position `b`. */
export const isAfter = (a: FeedPosition, b: FeedPosition) => a.change > b.change || (a.change === b.change && a.taskId > b.taskId);
