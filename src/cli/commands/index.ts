// One line per command module; each exports register(program).
import type { Command } from 'commander';
import { registerConfig } from './config.js';
import { registerAssign } from './assign.js';
import { registerTrain } from './train.js';
import { registerMap } from './map.js';
import { registerProgramStats } from './program-stats.js';
import { registerProgram } from './program.js';
import { registerEval } from './eval.js';
import { registerMerge } from './merge.js';
import { registerReport } from './report.js';
import { registerSwitch } from './switch.js';
import { registerBlm } from './switch-blm.js';
import { registerDemo } from './demo.js';
import { registerSweep } from './sweep.js';
import { registerZoo } from './zoo.js';

export const commands: Array<(program: Command) => void> = [
  registerConfig,
  registerAssign,
  registerTrain,
  registerZoo,
  registerMap,
  registerProgramStats,
  registerProgram,
  registerEval,
  registerMerge,
  registerSwitch,
  registerBlm,
  registerDemo,
  registerReport,
  registerSweep,
];
