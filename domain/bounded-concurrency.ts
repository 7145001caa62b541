/**
 * Bounded fan-out: at most `concurrency` calls of `work` in flight, items taken in order. Pure
 * promise orchestration (no clocks, no I/O), so workflows use it as well as the API.
 */
export async function forEachBounded<T>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  async function lane(): Promise<void> {
    // Lanes take the next item only when their previous one settles.
    while (next < items.length) {
      const index = next++;
      await work(items[index]!, index);
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, () => lane()));
}

/** `work` over every item with at most `concurrency` at once; the results in the items' order. */
export async function mapBounded<T, R>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  await forEachBounded(items, concurrency, async (item, index) => {
    results[index] = await work(item, index);
  });
  return results;
}
