// Content hashes for sweep identities (points, sweeps, cached merged models).
import { createHash } from 'node:crypto';

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
