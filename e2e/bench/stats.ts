/**
 * Order statistics of a handful of timings. Nearest rank, no interpolation: with 30
 * requests p99 is simply the slowest one, which is what a reader expects it to mean.
 */

/** The q-quantile (0 ≤ q ≤ 1) by nearest rank; NaN for no values. */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil(q * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export const median = (values: readonly number[]): number => percentile(values, 0.5);

/** Times `work` `runs` times, one after another, after `warmup` untimed runs; milliseconds. */
export async function timeRuns(
  runs: number,
  warmup: number,
  work: () => Promise<unknown>,
): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await work();
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await work();
    ms.push(performance.now() - t0);
  }
  return ms;
}
