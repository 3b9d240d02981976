import { EntitySchema, type OptionalProps } from '@mikro-orm/core';
import { IDEMPOTENCY_KEY_MAX_LENGTH, USER_ID_MAX_LENGTH } from '@tasks/domain';

/** A task as an Idempotency-Key remembers it: the answer to every repeat of the request. */
export interface RememberedTask {
  readonly id: number;
  readonly userId: string;
  readonly title: string;
  readonly description: string | null;
  readonly completed: boolean;
  /** ISO-8601 UTC. */
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly version: number;
}

/** One client's Idempotency-Key for one create: what the request was, and the task it made. */
export interface IdempotencyKey {
  /** Set by the database when the key is claimed. */
  [OptionalProps]?: 'createdAt';
  userId: string;
  key: string;
  /** The request in a canonical form, to tell a retry from a different request under the same key. */
  fingerprint: string;
  /** The task the first request created, as it was then. */
  task: RememberedTask;
  createdAt: Date;
  expiresAt: Date;
}

/** Maps `idempotency_keys`: the keys of creates, per user, shared by every instance of the service. */
export const IdempotencyKeySchema = new EntitySchema<IdempotencyKey>({
  name: 'IdempotencyKey',
  tableName: 'idempotency_keys',
  properties: {
    userId: { type: 'string', length: USER_ID_MAX_LENGTH, primary: true },
    key: { type: 'string', length: IDEMPOTENCY_KEY_MAX_LENGTH, primary: true },
    fingerprint: { type: 'text' },
    task: { type: 'json' },
    createdAt: { type: 'datetime', defaultRaw: 'now()' },
    expiresAt: { type: 'datetime', index: 'idempotency_keys_expires_at_index' },
  },
});
