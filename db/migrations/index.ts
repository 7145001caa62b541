import type { Migration, MigrationProvider } from 'kysely';
import * as initialSchema from './2026-11-25T0900-initial-schema';

/** Migrations in order. Imported statically so they run the same under tsx, jest and bundlers. */
const MIGRATIONS: Record<string, Migration> = {
  '2026-11-25T0900-initial-schema': initialSchema,
};

export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return MIGRATIONS;
  },
};
