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
  }

  override async down(): Promise<void> {
    this.addSql('drop index if exists "tasks_user_id_search_index"');
  }
}
