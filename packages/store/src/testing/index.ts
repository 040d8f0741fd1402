// Test support, kept off the store's main entry: a temporary PostgreSQL cluster.
export { freePort, postgresBinDir, startTemporaryPostgres } from './temporary-postgres.ts';
export type { TemporaryPostgres } from './temporary-postgres.ts';
