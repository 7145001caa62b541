import type { SharedTestInfra } from './test-env';

export default async function globalTeardown(): Promise<void> {
  const infra = (globalThis as unknown as { __liftosTestInfra?: SharedTestInfra }).__liftosTestInfra;
  if (!infra) return;
  await infra.temporal.teardown();
  await infra.postgres.stop();
}
