/**
 * Runs `work` over `items` with at most `concurrency` running at once, in order of `items`: the
 * shape of every fan-out to child workflows here (bulk sync, validate-all). Deterministic: lanes
 * take the next item only when their previous one settles.
 */
export async function forEachBounded<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  async function lane(): Promise<void> {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) await work(next);
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, queue.length)) }, () => lane()));
}
