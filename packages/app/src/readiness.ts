import type { Health } from '@tasks/adapters-http';

/** Ready while the database answers a ping and the service is not shutting down. */
export class Readiness implements Health {
  private stopping = false;

  /** `ping` resolves true when the database answered in time, false otherwise; it never rejects. */
  constructor(private readonly ping: () => Promise<boolean>) {}

  async ready(): Promise<boolean> {
    return !this.stopping && (await this.ping());
  }

  /** From now on `ready()` is false, so load balancers stop sending new requests. */
  markStopping(): void {
    this.stopping = true;
  }
}
