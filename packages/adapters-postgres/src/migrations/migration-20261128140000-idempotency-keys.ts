import { Migration } from '@mikro-orm/migrations';

/**
 * The Idempotency-Keys of creates, per user, with the request they were used for and the task they
 * created; kept in the database so that every instance of the service sees the same keys.
 */
export class Migration20261128140000IdempotencyKeys extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table "idempotency_keys" (
        "user_id" varchar(255) not null,
        "key" varchar(255) not null,
        "fingerprint" text not null,
        "task" jsonb not null,
        "created_at" timestamptz not null default now(),
        "expires_at" timestamptz not null,
        primary key ("user_id", "key")
      )`);
    this.addSql('create index "idempotency_keys_expires_at_index" on "idempotency_keys" ("expires_at")');
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists "idempotency_keys"');
  }
}
