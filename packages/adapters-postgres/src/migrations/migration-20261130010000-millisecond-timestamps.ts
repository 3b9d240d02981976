import { Migration } from '@mikro-orm/migrations';

/**
 * Timestamps at the API's precision whoever writes them. The service writes milliseconds, but rows
 * written by other tools (an import, a script with `now()`) carried microseconds, which the millisecond
 * cursors of keyset pages cannot point at exactly: the last task of a page came again on the next one.
 * A trigger rounds every written timestamp down to the millisecond, and existing rows are rounded.
 */
export class Migration20261130010000MillisecondTimestamps extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create function "tasks_millisecond_timestamps"() returns trigger language plpgsql as $$
      begin
        new."created_at" := date_trunc('milliseconds', new."created_at");
        new."updated_at" := date_trunc('milliseconds', new."updated_at");
        return new;
      end $$`);
    this.addSql(
      `create trigger "tasks_millisecond_timestamps" before insert or update of "created_at", "updated_at" on "tasks" for each row execute function "tasks_millisecond_timestamps"()`,
    );
    this.addSql(`update "tasks" set "created_at" = "created_at", "updated_at" = "updated_at"
      where "created_at" <> date_trunc('milliseconds', "created_at") or "updated_at" <> date_trunc('milliseconds', "updated_at")`);
  }

  override async down(): Promise<void> {
    this.addSql('drop trigger if exists "tasks_millisecond_timestamps" on "tasks"');
    this.addSql('drop function if exists "tasks_millisecond_timestamps"()');
  }
}
