import type { Client } from '@temporalio/client';
import type { Kysely } from 'kysely';
import { pingPostgres } from '../db/repositories/health';
import type { Database } from '../db/schema';

/** How long one health probe may take before it counts as failed. */
export const HEALTH_PROBE_TIMEOUT_MS = 2_000;

export type ProbeResult = 'ok' | { error: string };

/** Runs a probe under the timeout; its failure is a result, never an exception. */
export async function probe(run: () => Promise<unknown>): Promise<ProbeResult> {
  try {
    await Promise.race([run(), new Promise((_, reject) => setTimeout(() => reject(new Error('timed out')), HEALTH_PROBE_TIMEOUT_MS).unref())]);
    return 'ok';
  } catch (err) {
    return { error: err instanceof Error ? err.message : 'failed' };
  }
}

export function probePostgres(db: Kysely<Database>): Promise<ProbeResult> {
  return probe(() => pingPostgres(db));
}

/**
 * A Temporal call bounded by a gRPC deadline and awaited to its end, never raced against a timer: the
 * client retries an unreachable server with backoff, and a call left retrying after its caller
 * answered would outlive it (and fire after its connection closed).
 */
export function withinHealthDeadline<T>(client: Client, call: () => Promise<T>): Promise<T> {
  return client.connection.withDeadline(Date.now() + HEALTH_PROBE_TIMEOUT_MS, call);
}

/** Temporal's frontend answers. */
export async function probeTemporal(client: Client): Promise<ProbeResult> {
  try {
    await withinHealthDeadline(client, () => client.workflowService.getSystemInfo({}));
    return 'ok';
  } catch (err) {
    return { error: err instanceof Error ? err.message : 'failed' };
  }
}
