// Does a model fit a task? Checked where a model meets its data (eval, scenarios, sweeps), because a mismatch does
// not fail by itself: a 2-output model scored on 10-class MNIST predicts only classes 0 and 1 and "reaches" ~20 %.
import { sizeOf } from '../../mapping/hostops.js';
import type { ImportedModel } from '../../mapping/types.js';

/** What the check needs of a task: its sample shape (HWC) and class count. */
export interface TaskShape { shape: readonly number[]; numClasses: number }

/** The model's output size (values per sample). */
export const modelOutputSize = (model: ImportedModel): number => sizeOf(model.ops[model.output]!.outShape);

/**
 * The reason `model` cannot be evaluated on `task` (input size or shape, or output size ≠ classes), or undefined when
 * it fits. Names both numbers and the fix; callers wrap it in their own error type.
 */
export function modelTaskMismatch(model: ImportedModel, task: TaskShape, modelName: string, taskName: string): string | undefined {
  const inSize = sizeOf(model.inputShape), dataSize = sizeOf(task.shape);
  const ms = `[${model.inputShape.join(', ')}]`, ds = task.shape.join('×');
  if (inSize !== dataSize || (model.inputShape.length === 3 && model.inputShape.join(',') !== task.shape.join(','))) {
    return `model ${modelName} expects input ${ms} (${inSize} values) but task ${taskName} has ${ds} samples (${dataSize} values); `
      + 'evaluate it on data of its input shape (for your own data see --data with a file or directory)';
  }
  const outputs = modelOutputSize(model);
  if (outputs !== task.numClasses) {
    return `model ${modelName} has ${outputs} outputs but task ${taskName} has ${task.numClasses} classes, so its accuracy would mean nothing; `
      + `use a model with a ${task.numClasses}-way output layer (e.g. \`ha3m train\` or \`ha3m zoo --classes ${task.numClasses}\`) or a task with ${outputs} classes`;
  }
  return undefined;
}
