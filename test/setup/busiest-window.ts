/** The most of `times` (ms) that any window of `widthMs` holds: how a platform counting arrivals sees them. */
export function busiestWindow(times: readonly number[], widthMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= widthMs) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}
