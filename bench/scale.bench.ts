// Matching and programming at scale: time (wall and CPU) and peak memory of mapping, programming, and BLM (layer and
// global; as `candidates: 'auto'` chooses, and for the pairs in --exact also exact and with 128 candidates) for LeNet-5, MLP 784-1024-1024-10, ResNet-18 and VGG-16 pairs (two
// seeded random-weight models each, bench/scale-models.ts), the growth of BLM time with the number of blocks, and
// the whole `ha3m blm` command.
//
//   nice -n 10 node --import tsx bench/scale.bench.ts [--models lenet5,mlp1024,resnet18,vgg16] [--exact lenet5,mlp1024]
//        [--simulate lenet5,mlp1024] [--cli resnet18] [--dir /tmp/scale-models] [--json]
//
// Every phase runs in its own child process, one after another (peak RSS per phase is the child's; the figure
// includes the setup it needs: the models, the pool). BLM phases put A's target levels straight into the pool's level
// array — what programming A leaves there, and all the matcher reads — unless the pair is in --simulate: then A is
// programmed by write-verify first, and B is programmed after the match, so the switch's simulated cycles compare
// pruned with exact matching. Exact matching of a ResNet-18 pair takes minutes: --exact lists the pairs to run it on.
// Figures are from a shared machine: the load (uptime) is printed at the start and end; CPU time is the steadier one.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { ensurePair, SCALE_MODELS, type ScaleModel } from './scale-models.js';
import type { Job, Row } from './scale-phases.js';


const args = process.argv.slice(2);
const arg = (name: string, def: string): string => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1]! : def; };
const list = (name: string, def: string): string[] => arg(name, def).split(',').filter(Boolean);


function spawnPhase(job: Job): Row {
  const r = spawnSync(process.execPath, ['--max-old-space-size=4096', '--import', 'tsx', fileURLToPath(import.meta.url), '--child', JSON.stringify(job)],
    { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  const line = r.stdout.split('\n').find((l) => l.startsWith('{"model"'));
  if (r.status !== 0 || !line) throw new Error(`phase ${job.model} ${job.phase} failed (exit ${r.status}):\n${r.stderr.slice(-3000)}`);
  return JSON.parse(line) as Row;
}

/** The whole `ha3m blm` command on a pair, timed by /usr/bin/time (peak RSS, CPU). */
function cliRun(model: ScaleModel, dir: string): Row | null {
  if (!existsSync('/usr/bin/time')) return null;
  const [a, b] = [`${dir}/${model}-a/model.json`, `${dir}/${model}-b/model.json`];
  const bin = fileURLToPath(new URL('../bin/ha3m.js', import.meta.url));
  const r = spawnSync('/usr/bin/time', ['-f', 'TIME %e %U %S %M', process.execPath, bin, 'blm', '--model-a', a, '--model-b', b, '--json'], { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  const t = /TIME ([\d.]+) ([\d.]+) ([\d.]+) (\d+)/.exec(r.stderr);
  if (r.status !== 0 || !t) throw new Error(`ha3m blm on ${model} failed (exit ${r.status}): ${r.stderr.slice(-2000)}`);
  const out = JSON.parse(r.stdout) as { results: Array<{ strategy: string; cycles: number; matchMs: number }> };
  const info: Record<string, unknown> = {};
  for (const x of out.results) info[x.strategy] = { cycles: x.cycles, matchMs: Math.round(x.matchMs) };
  return { model, phase: 'ha3m blm (whole command)', wallMs: Number(t[1]) * 1000, cpuMs: (Number(t[2]) + Number(t[3])) * 1000, peakMB: Number(t[4]) / 1024, info };
}

const fmtS = (ms: number) => (ms / 1000).toFixed(ms < 10_000 ? 2 : 1);

async function main(): Promise<void> {
  const dir = arg('dir', '/tmp/scale-models');
  const models = list('models', SCALE_MODELS.join(',')) as ScaleModel[];
  const exact = new Set(list('exact', 'lenet5,mlp1024')), simulate = new Set(list('simulate', 'lenet5,mlp1024')), cli = new Set(list('cli', ''));
  for (const m of models) if (!SCALE_MODELS.includes(m)) throw new Error(`unknown model ${m}; use ${SCALE_MODELS.join(', ')}`);
  const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
  console.log(`# scale bench — load average at start ${load()}`);
  const rows: Row[] = [];
  for (const model of models) {
    await ensurePair(dir, model);
    const phases = ['map', 'program', 'blm layer', 'blm global', ...(exact.has(model) ? ['blm layer exact', 'blm global exact', 'blm layer k128', 'blm global k128'] : [])];
    for (const phase of phases) {
      const row = spawnPhase({ model, phase, dir, simulate: simulate.has(model) });
      rows.push(row);
      console.log(`${model.padEnd(9)} ${phase.padEnd(17)} ${fmtS(row.wallMs).padStart(7)} s wall ${fmtS(row.cpuMs).padStart(7)} s CPU ${row.peakMB.toFixed(0).padStart(6)} MB peak  ${JSON.stringify(row.info)}`);
    }
    if (cli.has(model)) {
      const row = cliRun(model, dir);
      if (row) { rows.push(row); console.log(`${model.padEnd(9)} ${row.phase} ${fmtS(row.wallMs)} s wall ${fmtS(row.cpuMs)} s CPU ${row.peakMB.toFixed(0)} MB peak ${JSON.stringify(row.info)}`); }
    }
  }
  console.log(`\nload average at end ${load()}\n`);
  console.log('| pair | blocks × slots | map (baseline / XAMM) | program A | BLM layer | BLM global | exact layer | exact global | peak MB (BLM global) |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const model of models) {
    const of = (phase: string) => rows.find((r) => r.model === model && r.phase === phase);
    const g = of('blm global'), m = of('map');
    const cpu = (r?: Row) => (r ? `${fmtS(r.cpuMs)} s` : '—');
    console.log(`| ${model} | ${g?.info.blocks} × ${g?.info.slots} | ${m ? `${m.info.baselineMs} / ${m.info.xammMs} ms` : '—'} | ${cpu(of('program'))} | ` +
      `${cpu(of('blm layer'))} | ${cpu(g)} | ${cpu(of('blm layer exact'))} | ${cpu(of('blm global exact'))} | ${g ? g.peakMB.toFixed(0) : '—'} |`);
  }
  console.log('\nPruned (128 candidates) against exact (same run; expected cycles priced exactly, simulated cycles where the pair was simulated):');
  for (const model of models) {
    for (const mode of ['layer', 'global']) {
      const p = rows.find((r) => r.model === model && r.phase === `blm ${mode} k128`), e = rows.find((r) => r.model === model && r.phase === `blm ${mode} exact`);
      if (!p || !e) continue;
      const pe = p.info.expected as number, ee = e.info.expected as number;
      const sim = p.info.cycles !== undefined && e.info.cycles !== undefined ? `, simulated ${(((p.info.cycles as number) / (e.info.cycles as number) - 1) * 100).toFixed(2)} %` : '';
      console.log(`  ${model} ${mode}: 128 candidates per block of ${p.info.slots} slots; expected cycles ${((pe / ee - 1) * 100).toFixed(2)} % vs exact${sim}; ` +
        `matching CPU ${fmtS(e.cpuMs)} → ${fmtS(p.cpuMs)} s (${(e.cpuMs / p.cpuMs).toFixed(2)}× faster)`);
    }
  }
  if (args.includes('--json')) console.log(JSON.stringify(rows));
}

if (args.includes('--child')) {
  const { runPhase } = await import('./scale-phases.js');
  const row = await runPhase(JSON.parse(args[args.indexOf('--child') + 1]!) as Job);
  console.log(JSON.stringify(row));
} else {
  await main();
}
