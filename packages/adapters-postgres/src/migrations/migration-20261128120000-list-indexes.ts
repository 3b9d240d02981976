import { Migration } from '@mikro-orm/migrations';

/**
 * Indexes for the list's other orders, so every page of a user's list is an index range scan however
 * many tasks the user has. Titles sort by code point ("C" collation), the same on every server.
 * Timestamps move to the API's precision (ms): the order a client sees is then the order PostgreSQL
 * sorts by, and a page cursor taken from a response is exact.
 */
export class Migration20261128120000ListIndexes extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "tasks"
      alter column "created_at" set default date_trunc('milliseconds', now()),
      alter column "updated_at" set default date_trunc('milliseconds', now())`);
    this.addSql(`update "tasks" set "created_at" = date_trunc('milliseconds', "created_at"),
      "updated_at" = date_trunc('milliseconds', "updated_at")
      where "created_at" <> date_trunc('milliseconds', "created_at") or "updated_at" <> date_trunc('milliseconds', "updated_at")`);
    this.addSql('create index "tasks_user_id_updated_at_id_index" on "tasks" ("user_id", "updated_at", "id")');
    this.addSql('create index "tasks_user_id_title_id_index" on "tasks" ("user_id", "title" collate "C", "id")');
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "tasks" alter column "created_at" set default now(), alter column "updated_at" set default now()`);
    this.addSql('drop index if exists "tasks_user_id_title_id_index"');
    this.addSql('drop index if exists "tasks_user_id_updated_at_id_index"');
  }
}
