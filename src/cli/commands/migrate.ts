import { createDatabaseIfMissing, migrateToLatest } from '../../db/migrate.ts';
import { OperatorError, ExitCode } from '../errors.ts';
import type { RegisterCommand } from './types.ts';

export const registerMigrate: RegisterCommand = (program, context) => {
  program
    .command('migrate')
    .description('bring the database schema up to date (creates the database when it does not exist)')
    .action(async () => {
      const created = await createDatabaseIfMissing(context.config.DATABASE_URL);
      if (created) context.print(`Created the database ${new URL(context.config.DATABASE_URL).pathname.slice(1)}.`);
      const { error, results = [] } = await migrateToLatest(context.db);
      for (const result of results) {
        context.print(`${result.status === 'Success' ? 'Applied' : result.status}: ${result.migrationName}`);
      }
      if (error) throw new OperatorError(`Migration failed: ${(error as Error).message ?? error}`, ExitCode.failed);
      context.print(results.length ? 'The schema is up to date.' : 'The schema was already up to date.');
    });
};
