// Readable, compact JSON for results files: objects are indented, arrays of numbers/strings/null stay on one line
// (heatmaps and sequences would otherwise take one line per value). Non-finite numbers are written as null.

function isScalar(v: unknown): boolean {
  return v === null || typeof v !== 'object';
}

function scalar(v: unknown): string {
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'null'; // same text as JSON.stringify
  return JSON.stringify(v) ?? 'null';
}

function write(v: unknown, indent: string, out: string[]): void {
  if (v !== null && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function') {
    v = (v as { toJSON: () => unknown }).toJSON();
  }
  if (isScalar(v)) {
    out.push(scalar(v));
    return;
  }
  const inner = indent + '  ';
  if (Array.isArray(v)) {
    if (v.length === 0) { out.push('[]'); return; }
    if (v.every(isScalar)) { out.push(JSON.stringify(v)); return; } // native: NaN/Infinity → null, no spaces
    out.push('[\n');
    v.forEach((item, i) => {
      out.push(inner);
      write(item === undefined ? null : item, inner, out);
      out.push(i < v.length - 1 ? ',\n' : '\n');
    });
    out.push(indent + ']');
    return;
  }
  const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined && typeof x !== 'function');
  if (entries.length === 0) { out.push('{}'); return; }
  out.push('{\n');
  entries.forEach(([k, x], i) => {
    out.push(inner + JSON.stringify(k) + ': ');
    write(x, inner, out);
    out.push(i < entries.length - 1 ? ',\n' : '\n');
  });
  out.push(indent + '}');
}

/** JSON text equal (after JSON.parse) to JSON.stringify(value), laid out for people; ends with a newline. */
export function stringifyResults(value: unknown): string {
  const out: string[] = [];
  write(value, '', out);
  out.push('\n');
  return out.join('');
}
