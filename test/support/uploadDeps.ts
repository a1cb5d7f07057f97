import { gocCetUpload } from '../../src/format/gocCetUpload.ts';
import type { UploadDeps } from '../../src/usecases/uploadDeps.ts';
import type { TestEnvironment } from './testEnvironment.ts';

export function testUploadDeps(env: TestEnvironment, overrides: Partial<UploadDeps> = {}): UploadDeps {
  return {
    db: env.db,
    pool: env.handle.pool,
    format: gocCetUpload,
    outboxDir: env.outboxDir,
    zone: 'Europe/London',
    holdDays: 14,
    providerCode: 'P00001',
    clock: () => new Date(),
    ...overrides,
  };
}
