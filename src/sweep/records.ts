// The sweep's JSONL file: one record per finished point, appended as one write of one line and synced, so a killed
// sweep leaves at most a torn last line — which reading detects and resuming cuts off — and never a duplicate.
import { closeSync, existsSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { writeFileAtomic } from '../report/write.js';
import { SWEEP_SCHEMA, type SweepRecord } from './types.js';

export class SweepFileError extends Error {
  constructor(message: string) { super(message); this.name = 'SweepFileError'; }
}

export interface ReadRecords {
  records: SweepRecord[];
  /** Byte length of the complete lines (a torn last line, if any, starts here). */
  goodBytes: number;
  /** A last line without its newline or not valid JSON (a write cut short by a kill). */
  tornLine: boolean;
}

function checkRecord(r: unknown, where: string): SweepRecord {
  const x = r as Partial<SweepRecord>;
  if (!x || x.schema !== SWEEP_SCHEMA || typeof x.id !== 'string' || typeof x.sweep !== 'string' || typeof x.index !== 'number'
    || (x.status !== 'ok' && x.status !== 'error') || typeof x.params !== 'object') {
    throw new SweepFileError(`${where} is not a sweep record (schema ${SWEEP_SCHEMA} with id, sweep, index, params, status)`);
  }
  return x as SweepRecord;
}

/** Reads a sweep JSONL file (missing file = no records). Corrupt lines other than a torn last one are errors. */
export function readRecords(path: string): ReadRecords {
  if (!existsSync(path)) return { records: [], goodBytes: 0, tornLine: false };
  const buf = readFileSync(path);
  const records: SweepRecord[] = [];
  let start = 0, line = 0, goodBytes = 0, tornLine = false;
  while (start < buf.length) {
    const nl = buf.indexOf(10, start);
    line++;
    const end = nl < 0 ? buf.length : nl;
    const text = buf.subarray(start, end).toString('utf8');
    if (nl < 0) { tornLine = text.trim().length > 0; break; } // no newline: the last write was cut short
    if (text.trim()) {
      let parsed: unknown;
      try { parsed = JSON.parse(text); } catch {
        throw new SweepFileError(`${path}:${line} is not valid JSON; the file is corrupt there (remove that line and resume to re-run its point)`);
      }
      records.push(checkRecord(parsed, `${path}:${line}`));
    }
    start = nl + 1;
    goodBytes = start;
  }
  return { records, goodBytes, tornLine };
}

/** The record that stands for each point: the last ok one, else the last one. */
export function latestById(records: SweepRecord[]): Map<string, SweepRecord> {
  const out = new Map<string, SweepRecord>();
  for (const r of records) {
    const prev = out.get(r.id);
    if (!prev || r.status === 'ok' || prev.status !== 'ok') out.set(r.id, r);
  }
  return out;
}

/** Appends records to a JSONL file; each record is one write of one whole line followed by fsync. */
export class RecordWriter {
  private fd: number;
  constructor(readonly path: string, opts: { truncateTo?: number } = {}) {
    this.fd = openSync(path, 'a');
    if (opts.truncateTo !== undefined) ftruncateSync(this.fd, opts.truncateTo);
  }
  append(r: SweepRecord): void {
    const bytes = Buffer.from(JSON.stringify(r) + '\n', 'utf8');
    let off = 0;
    while (off < bytes.length) off += writeSync(this.fd, bytes, off, bytes.length - off);
    fsyncSync(this.fd);
  }
  close(): void {
    if (this.fd >= 0) { closeSync(this.fd); this.fd = -1; }
  }
}

/**
 * Merges shard files into one: checks they belong to the same sweep, keeps one record per point (latestById),
 * orders by point index, writes atomically. Returns the merged records.
 */
export function mergeRecordFiles(inputs: string[], out: string): SweepRecord[] {
  if (inputs.length === 0) throw new SweepFileError('sweep merge needs at least one JSONL file');
  const all: SweepRecord[] = [];
  let sweep: string | undefined, sweepFrom = '';
  for (const f of inputs) {
    if (!existsSync(f)) throw new SweepFileError(`cannot read ${f}: no such file`);
    const { records, tornLine } = readRecords(f);
    if (tornLine) process.emitWarning(`${f}: ignoring a torn last line (that shard was killed mid-write; resume it to finish)`);
    for (const r of records) {
      if (sweep === undefined) { sweep = r.sweep; sweepFrom = f; }
      if (r.sweep !== sweep) throw new SweepFileError(`${f} holds points of sweep ${r.sweep} but ${sweepFrom} holds sweep ${sweep}; merge only shards of one sweep`);
      all.push(r);
    }
  }
  const merged = [...latestById(all).values()].sort((a, b) => a.index - b.index);
  mkdirSync(dirname(out), { recursive: true });
  writeFileAtomic(out, merged.map((r) => JSON.stringify(r) + '\n').join(''));
  return merged;
}
