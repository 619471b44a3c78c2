// Bad data files or options: `code` says which kind of problem (for callers and tests), the message names the file
// and the fix.
export type DataErrorCode =
  | 'count-mismatch' | 'dtype' | 'shape' | 'label-range' | 'npy-header' | 'truncated' | 'cifar-length' | 'layout'
  | 'values' | 'missing' | 'format' | 'option';

export class DataError extends Error {
  constructor(readonly code: DataErrorCode, message: string) {
    super(message);
    this.name = 'DataError';
  }
}
