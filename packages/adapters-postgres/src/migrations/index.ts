import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261128000000CreateTasks } from './migration-20261128000000-create-tasks.js';
import { Migration20261128120000ListIndexes } from './migration-20261128120000-list-indexes.js';
import { Migration20261128130000TaskVersion } from './migration-20261128130000-task-version.js';
import { Migration20261128140000IdempotencyKeys } from './migration-20261128140000-idempotency-keys.js';
import { Migration20261130000000TaskLimits } from './migration-20261130000000-task-limits.js';
import { Migration20261130010000MillisecondTimestamps } from './migration-20261130010000-millisecond-timestamps.js';
import { Migration20261201000000ChangeFeed } from './migration-20261201000000-change-feed.js';
import { Migration20261201010000TaskSearch } from './migration-20261201010000-task-search.js';

/** Every migration, oldest first. Listed explicitly so the same list works from source and from `dist`. */
export const migrationsList: MigrationObject[] = [
  { name: 'Migration20261128000000CreateTasks', class: Migration20261128000000CreateTasks },
  { name: 'Migration20261128120000ListIndexes', class: Migration20261128120000ListIndexes },
  { name: 'Migration20261128130000TaskVersion', class: Migration20261128130000TaskVersion },
  { name: 'Migration20261128140000IdempotencyKeys', class: Migration20261128140000IdempotencyKeys },
  { name: 'Migration20261130000000TaskLimits', class: Migration20261130000000TaskLimits },
  { name: 'Migration20261130010000MillisecondTimestamps', class: Migration20261130010000MillisecondTimestamps },
  { name: 'Migration20261201000000ChangeFeed', class: Migration20261201000000ChangeFeed },
  { name: 'Migration20261201010000TaskSearch', class: Migration20261201010000TaskSearch },
];
