// Rewrites a README block from a results file, so that the README's demo tables are the demo's real output:
//   node --import tsx scripts/readme-demo.ts ha3m-out/results.json                       → README.md, demo-table
//   node --import tsx scripts/readme-demo.ts out/results.json --marker demo-pareto --block pareto
//   (npm run readme:demo -- RESULTS [--readme FILE] [--marker NAME] [--block tables|pareto])
import { readFileSync } from 'node:fs';
import { readResults, writeFileAtomic } from '../src/report/node.js';
import { readmeBlock, replaceBetweenMarkers, type ReadmeBlock } from '../src/report/readme.js';

function main(argv: string[]): void {
  const args = [...argv];
  const opt = (name: string, fallback: string): string => {
    const i = args.indexOf(name);
    if (i < 0) return fallback;
    const v = args[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`${name} needs a value`);
    args.splice(i, 2);
    return v;
  };
  const readme = opt('--readme', 'README.md'), marker = opt('--marker', 'demo-table'), block = opt('--block', 'tables');
  if (block !== 'tables' && block !== 'pareto') throw new Error(`--block must be tables or pareto, got '${block}'`);
  if (args.length !== 1) throw new Error('usage: readme-demo.ts RESULTS.json [--readme README.md] [--marker demo-table] [--block tables|pareto]');
  const results = readResults(args[0]!);
  const text = readFileSync(readme, 'utf8');
  const next = replaceBetweenMarkers(text, marker, readmeBlock(results, block as ReadmeBlock));
  writeFileAtomic(readme, next);
  console.log(`${readme}: ${marker} ${next === text ? 'unchanged' : 'rewritten'} from ${args[0]}`);
}

try {
  main(process.argv.slice(2));
} catch (e) {
  console.error(`readme-demo: ${(e as Error).message}`);
  process.exit(2);
}
