import {
  afterChange,
  CHANGES_PAGE_DEFAULT,
  CHANGES_PAGE_MAX,
  DEFAULT_CHANGES_RETENTION_DAYS,
  decodeFeedToken,
  encodeFeedToken,
  FEED_START,
  type FeedPosition,
  isAfter,
  positionOf,
  type TaskChange,
} from './change-feed.js';
import { type Clock, systemClock } from './clock.js';
import { ChangeTokenExpiredError, TaskInvalidError } from './task-errors.js';
import type { TaskRepository } from './task-repository.js';
import { assertValidUserId } from './task-rules.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** A page of the feed and the token to ask for the next one. */
export interface ChangePage {
  readonly changes: TaskChange[];
  /** Where to continue: after the last of these changes (or where the client was, when there were none). */
  readonly nextToken: string;
  /** Whether more changes are there already; when false, the next read waits for new writes. */
  readonly more: boolean;
  /** The token that continues after this entry of the page: a live stream's event id. */
  tokenAfter(entry: TaskChange): string;
}

/** Where a reader of the feed stands, parsed from its token. */
interface Reader {
  readonly position: FeedPosition;
  readonly horizon: number | undefined;
}

/**
 * Reads a user's change feed a page at a time. A client follows the tokens: with no token it gets every
 * task it should have, then every change after, never one twice and never one missed. A token gets
 * `ChangeTokenExpiredError` when it is older than the retention, or when deletions after its position
 * have been forgotten since it was issued.
 */
export class ReadChanges {
  constructor(
    private readonly tasks: TaskRepository,
    readonly retentionDays = DEFAULT_CHANGES_RETENTION_DAYS,
    private readonly clock: Clock = systemClock,
  ) {}

  async execute(userId: string, token?: string, limit = CHANGES_PAGE_DEFAULT): Promise<ChangePage> {
    assertValidUserId(userId);
    if (!(Number.isInteger(limit) && limit >= 1 && limit <= CHANGES_PAGE_MAX)) {
      throw new TaskInvalidError('limit', `must be an integer from 1 to ${CHANGES_PAGE_MAX}`);
    }
    const reader = this.reader(userId, token);
    const batch = await this.tasks.changes(userId, reader.position, limit);
    this.assertNothingForgotten(reader, batch.forgottenThrough);
    const last = batch.changes.at(-1);
    return {
      changes: batch.changes,
      nextToken: this.token(userId, last ? positionOf(last) : reader.position, batch.forgottenThrough),
      more: batch.more,
      tokenAfter: (entry) => this.token(userId, positionOf(entry), batch.forgottenThrough),
    };
  }

  /** A token for the feed's present: what a client gets to follow only what happens from now on. */
  async now(userId: string): Promise<string> {
    assertValidUserId(userId);
    const head = (await this.tasks.feedHeads([userId])).get(userId);
    return this.token(userId, afterChange(head?.latest ?? 0), head?.forgottenThrough ?? 0);
  }

  /** Checks a token without reading the feed: throws as `execute` would for it. */
  async check(userId: string, token: string): Promise<void> {
    assertValidUserId(userId);
    const reader = this.reader(userId, token);
    const head = (await this.tasks.feedHeads([userId])).get(userId);
    this.assertNothingForgotten(reader, head?.forgottenThrough ?? 0);
  }

  private reader(userId: string, token: string | undefined): Reader {
    if (token === undefined) return { position: FEED_START, horizon: undefined };
    const decoded = decodeFeedToken(token, userId);
    if (this.clock.now().getTime() - decoded.issuedAt.getTime() > this.retentionDays * DAY_MS) throw new ChangeTokenExpiredError(this.retentionDays);
    return { position: decoded.position, horizon: decoded.horizon };
  }

  /**
   * A client that starts from nothing never needs a forgotten deletion: the tasks it deleted are not in
   * what it reads. One that holds a token needs every deletion after its position; when some of those
   * were forgotten after its token was issued, it may have missed one.
   */
  private assertNothingForgotten(reader: Reader, forgottenThrough: number): void {
    // A position inside change F (a bulk deletion is one change of many tombstones) may not have seen
    // all of it: only a position after the whole of F is past what was forgotten.
    const past = !isAfter(afterChange(forgottenThrough), reader.position);
    if (reader.horizon !== undefined && forgottenThrough > reader.horizon && !past) {
      throw new ChangeTokenExpiredError(this.retentionDays);
    }
  }

  private token(userId: string, position: FeedPosition, horizon: number): string {
    return encodeFeedToken({ userId, position, horizon, issuedAt: this.clock.now() });
  }
}
