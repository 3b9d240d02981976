import { Migration } from '@mikro-orm/migrations';

/** A version per task, incremented by every change: what ETags name and If-Match checks. */
export class Migration20261128130000TaskVersion extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table "tasks" add column "version" integer not null default 1');
  }

  override async down(): Promise<void> {
    this.addSql('alter table "tasks" drop column "version"');
  }
}
