import type { ServerResponse } from 'node:http';
import type { ChangeWatcher, ReadChanges } from '@tasks/domain';
import { toChangeResponse } from './change-response.js';
import { drained } from './drained.js';
import { HttpError } from './http-error.js';
import { type HttpLogger, silentLogger } from './http-logger.js';

/** Most live streams one user may hold on one instance unless configured otherwise. */
export const DEFAULT_MAX_STREAMS_PER_USER = 10;
/** Longest silence on a stream: proxies close connections that stay quiet longer (nginx: 60 s). */
export const DEFAULT_HEARTBEAT_MS = 15_000;
/** How long a browser's EventSource waits before reconnecting, told in the stream itself. */
const RECONNECT_MS = 2_000;
/** Changes read per statement while a stream catches up. */
const CATCH_UP_PAGE = 500;
/** How long a stream's end may take to reach its client before the connection is dropped. */
const ABANDON_AFTER_END_MS = 5_000;
/** The longest one timer can wait (about 24.8 days); a later moment is reached in several waits. */
const LONGEST_TIMER_MS = 2 ** 31 - 1;

/** Calls `action` at `when` (ms since the epoch), however far off; returns how to cancel it. */
function at(when: number, action: () => void): () => void {
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    const wait = when - Date.now();
    if (wait <= 0) return action();
    timer = setTimeout(arm, Math.min(wait, LONGEST_TIMER_MS));
    timer.unref();
  };
  arm();
  return () => clearTimeout(timer);
}

export interface ChangeStreamsOptions {
  readonly readChanges: ReadChanges;
  readonly watcher: ChangeWatcher;
  readonly maxStreamsPerUser?: number;
  readonly heartbeatMs?: number;
  readonly logger?: HttpLogger;
}

/** One open stream: where its client stands in the feed, and how to stop it. */
interface Stream {
  readonly userId: string;
  readonly res: ServerResponse;
  token: string;
  close(): void;
}

/**
 * The live change streams of one instance, as Server-Sent Events: each change of the user's feed is one
 * event whose `id` is the feed token after it, so a client that reconnects with `Last-Event-ID` misses
 * nothing and sees nothing twice. A stream catches up from its token, then follows the feed whenever the
 * watcher sees it move (whichever instance wrote), sends a comment as heartbeat, and ends when the
 * client goes, when the database fails (the client reconnects), when the credentials that opened it
 * expire (the client reconnects with new ones), or when the service shuts down.
 */
export class ChangeStreams {
  private readonly streams = new Set<Stream>();
  private readonly perUser = new Map<string, number>();
  private closing = false;
  readonly maxStreamsPerUser: number;
  private readonly heartbeatMs: number;
  private readonly logger: HttpLogger;

  constructor(private readonly options: ChangeStreamsOptions) {
    this.maxStreamsPerUser = options.maxStreamsPerUser ?? DEFAULT_MAX_STREAMS_PER_USER;
    this.heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
    this.logger = options.logger ?? silentLogger;
  }

  /** How many streams are open. */
  get size(): number {
    return this.streams.size;
  }

  /**
   * Opens a stream for the user from `token` (a feed token; absent: from now on), to be ended at `endAt`
   * (ms since the epoch) when given: when the credentials that opened it expire. Throws before anything
   * is written when the token is not valid or expired, when the user has too many streams open, or
   * while the service is shutting down.
   */
  async open(userId: string, token: string | undefined, res: ServerResponse, endAt?: number): Promise<void> {
    this.admit(userId);
    if (token === undefined) token = await this.options.readChanges.now(userId);
    else await this.options.readChanges.check(userId, token);
    // Counted only now: a stream refused above, or whose client left meanwhile, holds no place.
    if (res.destroyed) return;
    // Again: the service may have begun to shut down, or the user opened others, while the token was read.
    this.admit(userId);
    // The credentials may have lapsed meanwhile: refuse as the next request with them would be.
    if (endAt !== undefined && endAt <= Date.now()) {
      throw new HttpError(401, 'Not authenticated', { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
    }

    res.statusCode = 200;
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache, no-transform');
    // nginx and some proxies buffer responses unless told not to; an event must reach the client at once.
    res.setHeader('X-Accel-Buffering', 'no');
    res.write(`retry: ${RECONNECT_MS}\n\n`);

    let pumping = false;
    let again = false;
    const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), this.heartbeatMs);
    heartbeat.unref();
    let cancelEnd = () => {};
    const stream: Stream = {
      userId,
      res,
      token,
      close: () => {
        if (!this.streams.delete(stream)) return;
        clearInterval(heartbeat);
        cancelEnd();
        unwatch();
        const left = (this.perUser.get(userId) ?? 1) - 1;
        if (left === 0) this.perUser.delete(userId);
        else this.perUser.set(userId, left);
        if (!res.writableEnded) res.end();
        // A client that has stopped reading never lets the end through: its connection goes anyway.
        if (!res.destroyed) setTimeout(() => res.destroy(), ABANDON_AFTER_END_MS).unref();
      },
    };
    // Reads and sends everything after the stream's token; a change seen meanwhile runs it once more.
    const pump = async () => {
      if (pumping) {
        again = true;
        return;
      }
      pumping = true;
      try {
        do {
          again = false;
          let more = true;
          while (more && this.streams.has(stream)) {
            const page = await this.options.readChanges.execute(userId, stream.token, CATCH_UP_PAGE);
            // Closed while the page was read (shutdown, or the client left): nothing more is written.
            if (!this.streams.has(stream)) return;
            for (const entry of page.changes) {
              stream.token = page.tokenAfter(entry);
              res.write(`id: ${stream.token}\ndata: ${JSON.stringify(toChangeResponse(entry))}\n\n`);
            }
            if (page.changes.length === 0) stream.token = page.nextToken;
            more = page.more;
            await drained(res);
          }
        } while (again && this.streams.has(stream));
      } catch (error) {
        // The client reconnects with the last id it received and loses nothing.
        this.logger.error({ err: error, userId }, 'change stream ended: the feed could not be read');
        stream.close();
      } finally {
        pumping = false;
      }
    };
    const unwatch = this.options.watcher.watch(userId, () => void pump());
    this.streams.add(stream);
    this.perUser.set(userId, (this.perUser.get(userId) ?? 0) + 1);
    res.on('close', stream.close);
    res.on('error', stream.close);
    if (endAt !== undefined) cancelEnd = at(endAt, stream.close);
    await pump();
  }

  /** Throws unless a new stream of this user may open now: not while shutting down, not beyond the limit. */
  private admit(userId: string): void {
    if (this.closing) throw new HttpError(503, 'The service is shutting down');
    if ((this.perUser.get(userId) ?? 0) >= this.maxStreamsPerUser) {
      throw new HttpError(429, `A user may have at most ${this.maxStreamsPerUser} change streams open`, { 'Retry-After': String(RECONNECT_MS / 1000) });
    }
  }

  /** Ends every stream and refuses new ones: for shutdown, so that the server can close. */
  close(): void {
    this.closing = true;
    for (const stream of [...this.streams]) stream.close();
  }
}
