import type { Health } from '@tasks/adapters-http';
import { pingDatabase } from '@tasks/adapters-postgres';
import type { MikroORM } from '@mikro-orm/core';

// A load balancer probes every second or so; an answer slower than this is as bad as none.
const PING_TIMEOUT_MS = 1_000;

/** Ready while the database answers a ping and the service is not shutting down. */
export class Readiness implements Health {
  private stopping = false;

  constructor(private readonly orm: MikroORM) {}

  async ready(): Promise<boolean> {
    return !this.stopping && (await pingDatabase(this.orm, PING_TIMEOUT_MS));
  }

  /** From now on `ready()` is false, so load balancers stop sending new requests. */
  markStopping(): void {
    this.stopping = true;
  }
}
