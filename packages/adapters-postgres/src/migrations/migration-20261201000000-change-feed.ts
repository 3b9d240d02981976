import { Migration } from '@mikro-orm/migrations';

/**
 * The change feed, kept by PostgreSQL so that no writer can leave it out. Each user has a change counter
 * (`task_counts.changes`); every write to a user's tasks takes the next value under the counter's row
 * lock, in the writing transaction, so a user's changes commit in counter order whichever instance made
 * them. A task carries the value of its last change; a deleted task leaves a tombstone with the value of
 * its deletion. One statement is one change: the tasks a bulk action touches share its value, ordered
 * among themselves by id.
 *
 * Locks are always taken rows first, counter second (the row triggers run once their row is locked, the
 * statement trigger of a delete once all its rows are), so a bulk action and single writes cannot
 * deadlock on them.
 */
export class Migration20261201000000ChangeFeed extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "task_counts" add column "changes" bigint not null default 0, add column "forgotten_through" bigint not null default 0`);
    this.addSql(`alter table "tasks" add column "change" bigint not null default 0`);
    this.addSql(`create index "tasks_user_id_change_id_index" on "tasks" ("user_id", "change", "id")`);
    this.addSql(`
      create table "task_tombstones" (
        "user_id" varchar(255) not null,
        "change" bigint not null,
        "task_id" bigint not null,
        "deleted_at" timestamptz not null default date_trunc('milliseconds'::text, now()),
        constraint "task_tombstones_pkey" primary key ("user_id", "change", "task_id")
      )`);
    this.addSql(`create index "task_tombstones_deleted_at_index" on "task_tombstones" ("deleted_at")`);

    // Inserts: the limit as before, and the next change, under the same row lock of the user's counter.
    this.addSql(`
      create or replace function "tasks_count_insert"() returns trigger language plpgsql as $$
      declare
        ceiling integer := (select "max_tasks_per_user" from "task_settings");
        next_change bigint;
      begin
        insert into "task_counts" as counts ("user_id", "tasks", "changes") values (new."user_id", 1, 1)
          on conflict ("user_id") do update set "tasks" = counts."tasks" + 1, "changes" = counts."changes" + 1
          where coalesce(ceiling, 0) = 0 or counts."tasks" < ceiling
          returning counts."changes" into next_change;
        if not found then
          raise exception 'a user may have at most % tasks', ceiling
            using errcode = 'check_violation', constraint = 'tasks_per_user_limit', detail = ceiling::text;
        end if;
        new."change" := next_change;
        return new;
      end $$`);

    // Updates: the next change, unless the statement set one itself (a bulk action takes one for all its rows).
    this.addSql(`
      create function "tasks_change_update"() returns trigger language plpgsql as $$
      begin
        if new."change" is not distinct from old."change" then
          insert into "task_counts" as counts ("user_id", "changes") values (new."user_id", 1)
            on conflict ("user_id") do update set "changes" = counts."changes" + 1
            returning counts."changes" into new."change";
        end if;
        return new;
      end $$`);
    this.addSql(`create trigger "tasks_change_update" before update on "tasks" for each row execute function "tasks_change_update"()`);

    // Deletes: once per statement, so a bulk delete is one change and one update of each counter.
    this.addSql('drop trigger "tasks_count_delete" on "tasks"');
    this.addSql('drop function "tasks_count_delete"()');
    this.addSql(`
      create function "tasks_deleted"() returns trigger language plpgsql as $$
      begin
        with "per_user" as (
          select "user_id", count(*)::integer as "deleted" from "deleted_tasks" group by "user_id"
        ), "counted" as (
          insert into "task_counts" as counts ("user_id", "tasks", "changes")
            select "user_id", 0, 1 from "per_user"
          on conflict ("user_id") do update
            set "tasks" = greatest(counts."tasks" - (select p."deleted" from "per_user" p where p."user_id" = counts."user_id"), 0),
                "changes" = counts."changes" + 1
          returning counts."user_id", counts."changes"
        )
        insert into "task_tombstones" ("user_id", "change", "task_id")
          select d."user_id", c."changes", d."id" from "deleted_tasks" d join "counted" c on c."user_id" = d."user_id";
        return null;
      end $$`);
    this.addSql(
      `create trigger "tasks_deleted" after delete on "tasks" referencing old table as "deleted_tasks" for each statement execute function "tasks_deleted"()`,
    );

    // Forgetting tombstones moves each user's horizon: a token from before it may have missed a deletion.
    this.addSql(`
      create function "task_tombstones_forgotten"() returns trigger language plpgsql as $$
      begin
        update "task_counts" counts set "forgotten_through" = greatest(counts."forgotten_through", f."through")
          from (select "user_id", max("change") as "through" from "forgotten" group by "user_id") f
          where counts."user_id" = f."user_id";
        return null;
      end $$`);
    this.addSql(
      `create trigger "task_tombstones_forgotten" after delete on "task_tombstones" referencing old table as "forgotten" for each statement execute function "task_tombstones_forgotten"()`,
    );

    // TRUNCATE fires no row trigger and leaves no tombstones: counts go to zero, and every counter moves
    // past a change whose deletions count as forgotten, so every token issued before gets 410 and its
    // client starts over instead of keeping the deleted tasks.
    this.addSql(`
      create or replace function "tasks_count_truncate"() returns trigger language plpgsql as $$
      begin
        update "task_counts" set "tasks" = 0, "changes" = "changes" + 1, "forgotten_through" = "changes" + 1;
        return null;
      end $$`);

    // Tasks that exist already become the counter's first changes, oldest first.
    this.addSql(`
      with "numbered" as (
        select "id", row_number() over (partition by "user_id" order by "id") as "n" from "tasks"
      )
      update "tasks" t set "change" = n."n" from "numbered" n where t."id" = n."id"`);
    this.addSql(`
      insert into "task_counts" as counts ("user_id", "tasks", "changes")
        select "user_id", count(*), count(*) from "tasks" group by "user_id"
      on conflict ("user_id") do update set "changes" = excluded."changes"`);
  }

  override async down(): Promise<void> {
    this.addSql('drop trigger if exists "task_tombstones_forgotten" on "task_tombstones"');
    this.addSql('drop function if exists "task_tombstones_forgotten"()');
    this.addSql('drop trigger if exists "tasks_deleted" on "tasks"');
    this.addSql('drop function if exists "tasks_deleted"()');
    this.addSql('drop trigger if exists "tasks_change_update" on "tasks"');
    this.addSql('drop function if exists "tasks_change_update"()');
    this.addSql(`
      create function "tasks_count_delete"() returns trigger language plpgsql as $$
      begin
        update "task_counts" set "tasks" = "tasks" - 1 where "user_id" = old."user_id";
        return old;
      end $$`);
    this.addSql(`create trigger "tasks_count_delete" after delete on "tasks" for each row execute function "tasks_count_delete"()`);
    this.addSql(`
      create or replace function "tasks_count_truncate"() returns trigger language plpgsql as $$
      begin
        delete from "task_counts";
        return null;
      end $$`);
    this.addSql(`
      create or replace function "tasks_count_insert"() returns trigger language plpgsql as $$
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
    this.addSql('drop table if exists "task_tombstones"');
    this.addSql('drop index if exists "tasks_user_id_change_id_index"');
    this.addSql('alter table "tasks" drop column if exists "change"');
    this.addSql('alter table "task_counts" drop column if exists "changes", drop column if exists "forgotten_through"');
  }
}
