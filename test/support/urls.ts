// Tests reach the machine's PostgreSQL and Redis; TEST_DATABASE_URL / TEST_REDIS_URL point elsewhere.
export function adminUrl(): string {
  return process.env.TEST_DATABASE_URL ?? 'postgresql://127.0.0.1:5432/postgres';
}

export function databaseUrl(name: string): string {
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

export function redisUrl(): string {
  return process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
}
