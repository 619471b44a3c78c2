// Shared bench plumbing: run tinybench tasks in one process and print mean time per op and ratios against a
// baseline measured in the same run (these machines are noisy; absolute times are for context only).
import { Bench } from 'tinybench';

export interface BenchTask { name: string; fn: () => unknown | Promise<unknown>; }

export interface BenchRow { name: string; meanMs: number; samples: number; }

export async function runTasks(title: string, tasks: BenchTask[], opts: { timeMs?: number; warmupMs?: number } = {}): Promise<BenchRow[]> {
  const bench = new Bench({ time: opts.timeMs ?? 1000, warmupTime: opts.warmupMs ?? 200 });
  for (const t of tasks) bench.add(t.name, t.fn);
  await bench.run();
  const rows: BenchRow[] = [];
  for (const task of bench.tasks) {
    const r = task.result as { state: string; latency?: { mean: number; samplesCount?: number }; error?: Error };
    if (r.state !== 'completed' || !r.latency) throw new Error(`bench task ${task.name} did not complete: ${r.error?.message ?? r.state}`);
    rows.push({ name: task.name, meanMs: r.latency.mean, samples: (r.latency as { samplesCount?: number }).samplesCount ?? 0 });
  }
  console.log(`\n## ${title}`);
  for (const r of rows) console.log(`${r.name.padEnd(48)} ${r.meanMs.toFixed(4).padStart(12)} ms/op`);
  return rows;
}

export function ratio(rows: BenchRow[], slow: string, fast: string): number {
  const a = rows.find((r) => r.name === slow), b = rows.find((r) => r.name === fast);
  if (!a || !b) throw new Error(`ratio: missing ${slow} or ${fast}`);
  return a.meanMs / b.meanMs;
}
