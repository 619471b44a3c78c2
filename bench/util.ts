// Shared bench plumbing: tinybench tasks run in interleaved rounds (every task once per round), and each task's
// time per op is the median over rounds, so a load swing on a shared machine hits every task alike. Ratios against
// a baseline measured in the same run are what matter; absolute times are context only.
import { Bench } from 'tinybench';
import { RefRng } from '../src/reference/rng.js';

export interface BenchTask { name: string; fn: () => unknown | Promise<unknown>; }

export interface BenchRow { name: string; meanMs: number; samples: number; rounds: number[] }

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export async function runTasks(title: string, tasks: BenchTask[], opts: { timeMs?: number; warmupMs?: number; rounds?: number } = {}): Promise<BenchRow[]> {
  const rounds = opts.rounds ?? 5;
  const per = new Map<string, { ms: number[]; samples: number }>(tasks.map((t) => [t.name, { ms: [], samples: 0 }]));
  for (let r = 0; r < rounds; r++) {
    for (const t of tasks) {
      const bench = new Bench({ time: (opts.timeMs ?? 1000) / rounds, warmupTime: r === 0 ? opts.warmupMs ?? 200 : 0, iterations: 1 });
      bench.add(t.name, t.fn);
      await bench.run();
      const res = bench.tasks[0]!.result as { state: string; latency?: { mean: number; samplesCount?: number }; error?: Error };
      if (res.state !== 'completed' || !res.latency) throw new Error(`bench task ${t.name} did not complete: ${res.error?.message ?? res.state}`);
      const e = per.get(t.name)!;
      e.ms.push(res.latency.mean);
      e.samples += res.latency.samplesCount ?? 0;
    }
  }
  const rows = tasks.map((t) => {
    const e = per.get(t.name)!;
    return { name: t.name, meanMs: median(e.ms), samples: e.samples, rounds: e.ms };
  });
  console.log(`\n## ${title} (median of ${rounds} interleaved rounds)`);
  for (const r of rows) console.log(`${r.name.padEnd(48)} ${r.meanMs.toFixed(4).padStart(12)} ms/op`);
  return rows;
}

/** slow / fast: the median over rounds of the per-round ratio. */
export function ratio(rows: BenchRow[], slow: string, fast: string): number {
  const a = rows.find((r) => r.name === slow), b = rows.find((r) => r.name === fast);
  if (!a || !b) throw new Error(`ratio: missing ${slow} or ${fast}`);
  return median(a.rounds.map((ms, i) => ms / b.rounds[i]!));
}

/** Uniformly random 2-bit target levels (16 per PRNG draw), the write-verify benches' workload. */
export function randomLevels(n: number, seed: number): Uint8Array {
  const r = new RefRng(seed, 1);
  const t = new Uint8Array(n);
  for (let i = 0; i < n; i += 16) {
    let x = r.nextU32();
    for (let k = 0; k < 16 && i + k < n; k++, x >>>= 2) t[i + k] = x & 3;
  }
  return t;
}
