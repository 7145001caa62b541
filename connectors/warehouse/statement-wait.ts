/**
 * Polls a warehouse statement until it is no longer running or `waitMs` is spent, with delays doubling from 100 ms
 * to 1 s. Whatever the last answer was comes back: a statement still running after the wait is the caller's to
 * resume later (its cursor keeps the statement), so no page call holds an activity for a long query.
 */
export async function waitForStatement<T>(first: T, running: (answer: T) => boolean, poll: () => Promise<T>, waitMs: number): Promise<T> {
  const deadline = Date.now() + waitMs;
  let answer = first;
  let delayMs = 100;
  while (running(answer) && Date.now() + delayMs <= deadline) {
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    answer = await poll();
    delayMs = Math.min(delayMs * 2, 1_000);
  }
  return answer;
}

/** How long a page call waits for a statement by default, before it hands back a cursor to resume the wait. */
export const DEFAULT_STATEMENT_WAIT_MS = 8_000;
