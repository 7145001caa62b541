import { type Client, isGrpcDeadlineError, WorkflowFailedError } from '@temporalio/client';

/** How a run a caller waited for stands when the wait ends. */
export type RunOutcome<T> = { status: 'completed'; result: T } | { status: 'still_running' } | { status: 'failed'; message: string };

/**
 * Waits at most `waitMs` for a run's result (`result` reads it through `client`). The deadline is the
 * result's own long poll's, so a run that outlasts the wait leaves no poll open on the server; a timer
 * raced against the poll would leave it waiting until the run ends, once per request.
 */
export async function runOutcomeWithin<T>(client: Client, waitMs: number, result: () => Promise<T>): Promise<RunOutcome<T>> {
  try {
    return { status: 'completed', result: await client.connection.withDeadline(Date.now() + waitMs, result) };
  } catch (err) {
    if (isGrpcDeadlineError(err)) return { status: 'still_running' };
    if (err instanceof WorkflowFailedError) return { status: 'failed', message: err.cause?.message ?? err.message };
    throw err;
  }
}
