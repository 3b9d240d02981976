import { Migration } from '@mikro-orm/migrations';

/**
 * Search by words: a trigram index (pg_trgm) over a task's title and description together, with the
 * user id in the same GIN index (btree_gin), so that `ILIKE '%word%'` on one user's tasks is an index
 * scan however many tasks that user, or anyone else, has. Both extensions ship with PostgreSQL and are
 * allowed on Neon.
 */
export class Migration20261201010000TaskSearch extends Migration {
  override async up(): Promise<void> {
    this.addSql('create extension if not exists pg_trgm');
    this.addSql('create extension if not exists btree_gin');
    this.addSql(`create index "tasks_user_id_search_index" on "tasks" using gin ("user_id", (("title" || ' ' || coalesce("description", ''))) gin_trgm_ops)`);
    // The planner estimates how many tasks a pattern matches from a sample of the indexed text; with the
    // default 100 entries one match reads as 1 % of the rows, and it then walks a list index in order
    // instead of using this one. A finer sample keeps rare words estimated as rare.
    this.addSql('alter index "tasks_user_id_search_index" alter column 2 set statistics 1000');
  }

  override async down(): Promise<void> {
    this.addSql('drop index if exists "tasks_user_id_search_index"');
  }
}
