import { Migration } from '@mikro-orm/migrations';

/**
 * A limit of tasks per user, kept by PostgreSQL so that concurrent creates cannot slip past it: a count
 * per user, maintained by triggers, and one row of settings with the limit (0: none). Creating a task
 * increments the user's count only while it is below the limit, under the count's row lock, in the same
 * statement as the insert; otherwise the insert fails with a check violation naming
 * `tasks_per_user_limit`, the limit in its detail.
 */
export class Migration20261130000000TaskLimits extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table "task_counts" (
        "user_id" varchar(255) primary key,
        "tasks" integer not null default 0,
        constraint "task_counts_not_negative" check ("tasks" >= 0)
      )`);
    this.addSql(`insert into "task_counts" ("user_id", "tasks") select "user_id", count(*) from "tasks" group by "user_id"`);
    this.addSql(`
      create table "task_settings" (
        "id" boolean primary key default true,
        "max_tasks_per_user" integer not null default 0,
        constraint "task_settings_one_row" check ("id" = true),
        constraint "task_settings_max_not_negative" check ("max_tasks_per_user" >= 0)
      )`);
    this.addSql(`insert into "task_settings" default values`);
    this.addSql(`
      create function "tasks_count_insert"() returns trigger language plpgsql as $$
      declare
        ceiling integer := (select "max_tasks_per_user" from "task_settings");
      begin
        insert into "task_counts" as counts ("user_id", "tasks") values (new."user_id", 1)
          on conflict ("user_id") do update set "tasks" = counts."tasks" + 1
          where coalesce(ceiling, 0) = 0 or counts."tasks" < ceiling;
        if not found then
          raise exception 'a user may have at most % tasks', ceiling
            using errcode = 'check_violation', constraint = 'tasks_per_user_limit', detail = ceiling::text;
        end if;
        return new;
      end $$`);
    this.addSql(`
      create function "tasks_count_delete"() returns trigger language plpgsql as $$
      begin
        update "task_counts" set "tasks" = "tasks" - 1 where "user_id" = old."user_id";
        return old;
      end $$`);
    this.addSql(`
      create function "tasks_count_truncate"() returns trigger language plpgsql as $$
      begin
        delete from "task_counts";
        return null;
      end $$`);
    this.addSql(`create trigger "tasks_count_insert" before insert on "tasks" for each row execute function "tasks_count_insert"()`);
    this.addSql(`create trigger "tasks_count_delete" after delete on "tasks" for each row execute function "tasks_count_delete"()`);
    // TRUNCATE fires no row trigger: without this, an emptied table would leave its counts behind.
    this.addSql(`create trigger "tasks_count_truncate" after truncate on "tasks" for each statement execute function "tasks_count_truncate"()`);
  }

  override async down(): Promise<void> {
    this.addSql('drop trigger if exists "tasks_count_truncate" on "tasks"');
    this.addSql('drop trigger if exists "tasks_count_delete" on "tasks"');
    this.addSql('drop trigger if exists "tasks_count_insert" on "tasks"');
    this.addSql('drop function if exists "tasks_count_truncate"()');
    this.addSql('drop function if exists "tasks_count_delete"()');
    this.addSql('drop function if exists "tasks_count_insert"()');
    this.addSql('drop table if exists "task_settings"');
    this.addSql('drop table if exists "task_counts"');
  }
}
