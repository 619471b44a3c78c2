// `ha3m zoo`: writes an untrained zoo model (seeded He-normal weights) as a TF.js model.json + weights.bin, for
// mapping and switching experiments that need a network's size and shapes but not its accuracy.
import type { Command } from 'commander';
import * as tf from '@tensorflow/tfjs';
import { UserError } from '../errors.js';
import { intArg as int, numArg as num } from '../common.js';
import { buildModel, cifarZooModels, zooModelNames, type ZooModelName } from '../../training/zoo.js';
import { saveModel } from '../../training/checkpoint.js';
import { crossbarLayers, importLayersModel } from '../../mapping/index.js';

interface ZooCliOptions { model: string; out: string; seed: string; classes: string; input?: string; width?: string; json?: boolean }

export function registerZoo(program: Command): void {
  program
    .command('zoo')
    .description('write an untrained zoo model (seeded random weights) as TF.js model.json + weights.bin')
    .requiredOption('--model <name>', `model: ${zooModelNames.join(', ')}`)
    .requiredOption('--out <dir>', 'directory to write model.json and weights.bin to (replaced atomically)')
    .option('--seed <s>', 'seed of the weights', '1')
    .option('--classes <n>', 'output classes', '10')
    .option('--input <HxWxC>', 'input shape (default 32x32x3 for resnet18 and vgg16, 28x28x1 otherwise)')
    .option('--width <x>', 'resnet18 / vgg16: channel multiplier (1 = the published widths)')
    .option('--json', 'print a JSON summary')
    .action(async (o: ZooCliOptions) => { await runZoo(o); });
}

function parseShape(s: string): [number, number, number] {
  const p = s.split(/[x×,]/).map(Number);
  if (p.length !== 3 || p.some((v) => !Number.isInteger(v) || v < 1)) throw new UserError(`--input must be HxWxC with positive integers (e.g. 32x32x3), got '${s}'`);
  return p as [number, number, number];
}

async function runZoo(o: ZooCliOptions): Promise<void> {
  if (!zooModelNames.includes(o.model as ZooModelName)) throw new UserError(`unknown model '${o.model}'; use one of ${zooModelNames.join(', ')}`);
  const name = o.model as ZooModelName;
  if (o.width !== undefined && !cifarZooModels.includes(name)) throw new UserError(`--width applies to ${cifarZooModels.join(' and ')} only`);
  const width = o.width === undefined ? undefined : num(o.width, 'width');
  if (width === 0) throw new UserError('--width must be positive');
  await tf.setBackend('cpu'); // initialization only: no kernels worth a faster backend
  let model: tf.LayersModel;
  try {
    model = buildModel(name, {
      seed: int(o.seed, 'seed'), numClasses: int(o.classes, 'classes', 1),
      ...(o.input ? { inputShape: parseShape(o.input) } : {}), ...(width ? { width } : {}),
    });
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError((e as Error).message);
  }
  const im = importLayersModel(model, { source: name });
  const layers = crossbarLayers(im);
  const summary = {
    model: name, out: o.out, inputShape: im.inputShape, classes: int(o.classes, 'classes', 1), seed: int(o.seed, 'seed'),
    params: model.countParams(), crossbarLayers: layers.length, crossbarWeights: layers.reduce((a, l) => a + l.rows * l.cols, 0),
  };
  await saveModel(model, o.out);
  model.dispose();
  if (o.json) { console.log(JSON.stringify(summary)); return; }
  console.log(`${name}: input [${summary.inputShape.join(', ')}], ${summary.classes} classes, ${summary.params.toLocaleString('en-US')} parameters, `
    + `${summary.crossbarLayers} crossbar layers with ${summary.crossbarWeights.toLocaleString('en-US')} weights (seed ${summary.seed}, untrained); written to ${o.out}`);
}
