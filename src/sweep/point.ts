// One sweep point, run in the calling thread (a worker, or the main thread with --workers 0): the point's scenario
// file → ScenarioSpec (models from the cache) → runScenario → a compact record. Any error becomes a failed record.
import type { Results } from '../report/types.js';
import { runScenario } from '../scenario/run.js';
import { parseScenarioFile } from '../scenario/file.js';
import { specFromFile, type ModelCache } from '../scenario/load.js';
import { SWEEP_SCHEMA, type SweepPoint, type SweepPointResult, type SweepRecord, type SweepStrategySummary } from './types.js';

export interface PointTask {
  sweep: string;
  point: SweepPoint;
  /** The point's scenario file (the base with the point's parameters applied). */
  scenario: Record<string, unknown>;
  mode: 'simulate' | 'estimate';
  dataDir?: string;
}

function mean(xs: Array<number | null>): number | null {
  if (xs.length === 0 || xs.some((x) => x === null)) return null;
  return (xs as number[]).reduce((a, b) => a + b, 0) / xs.length;
}

/** The sweep's view of a results.json: per strategy the costs per switch and the models' final accuracies. */
export function summarizeResults(r: Results): SweepPointResult {
  const strategies: SweepPointResult['strategies'] = {};
  for (const [name, s] of Object.entries(r.strategies)) {
    if (!s) continue;
    const acc = Object.values(s.accuracy);
    const summary: SweepStrategySummary = {
      cyclesPerSwitch: s.cyclesPerSwitch, energyPerSwitchJ: s.energyPerSwitchJ, latencyPerSwitchS: s.latencyPerSwitchS,
      cellsTouchedPerSwitch: s.cellsTouchedPerSwitch, failuresPerSwitch: s.failuresPerSwitch, accuracy: s.accuracy,
      meanAccuracy: {
        float: mean(acc.map((a) => a.float))!, quantized: mean(acc.map((a) => a.quantized))!,
        ideal: mean(acc.map((a) => a.ideal)), analog: mean(acc.map((a) => a.analog)),
      },
      ...(s.tiedFraction !== undefined ? { tiedFraction: s.tiedFraction } : {}),
    };
    strategies[name as keyof typeof strategies] = summary;
  }
  return {
    poolCrossbars: r.scenario.poolCrossbars,
    crossbars: Object.fromEntries(r.scenario.models.map((m) => [m.name, m.crossbars])),
    strategies,
  };
}

export async function runPoint(task: PointTask, cache: ModelCache): Promise<SweepRecord> {
  const t0 = performance.now();
  const base = { schema: SWEEP_SCHEMA, sweep: task.sweep, id: task.point.id, index: task.point.index, params: task.point.params, mode: task.mode };
  try {
    const file = parseScenarioFile(task.scenario, `point ${task.point.index}`);
    const spec = await specFromFile(file, { dataDir: task.dataDir, cache });
    const results = runScenario(spec, { estimate: task.mode === 'estimate', createdAt: '1970-01-01T00:00:00.000Z' });
    return { ...base, status: 'ok', seconds: (performance.now() - t0) / 1000, result: summarizeResults(results) };
  } catch (e) {
    const err = e as Error;
    return { ...base, status: 'error', error: err.message || String(err), seconds: (performance.now() - t0) / 1000 };
  }
}
