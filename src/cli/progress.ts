// Progress bars for long CLI work (cli-progress). Silent when stderr is not a terminal or output is JSON, so
// machine-readable output stays clean.
import cliProgress from 'cli-progress';

export interface Progress {
  update(done: number, payload?: Record<string, string | number>): void;
  stop(): void;
}

const silent: Progress = { update() {}, stop() {} };

/** Progress as plain lines (logs of batch jobs, where a bar cannot redraw): at most one per interval, and the last. */
function progressLines(label: string, total: number, everyS: number): Progress {
  const t0 = performance.now();
  let last = -Infinity, first = -1;
  return {
    update(done, payload) {
      const now = performance.now();
      if (first < 0) first = done; // work found already done (a resume) does not count towards the rate
      if (done < total && now - last < everyS * 1000) return;
      last = now;
      const rate = (done - first) / Math.max(1e-9, (now - t0) / 1000);
      const eta = done >= total ? 'done' : rate > 0 ? `ETA ${formatSeconds((total - done) / rate)}` : 'ETA ?';
      process.stderr.write(`${label}: ${done}/${total} (${Math.floor((100 * done) / total)} %) ${eta}${payload?.detail ? ` ${payload.detail}` : ''}\n`);
    },
    stop() {},
  };
}

function formatSeconds(s: number): string {
  if (s < 90) return `${Math.round(s)} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

/**
 * A bar on stderr with a label, ETA and an optional detail field. When stderr is not a terminal it is silent, or
 * with `linesEveryS` prints a progress line at most that often (for batch-job logs).
 */
export function progressBar(label: string, total: number, opts: { quiet?: boolean; linesEveryS?: number } = {}): Progress {
  if (opts.quiet || total <= 0) return silent;
  if (!process.stderr.isTTY) return opts.linesEveryS ? progressLines(label, total, opts.linesEveryS) : silent;
  const bar = new cliProgress.SingleBar({
    stream: process.stderr,
    format: `${label.padEnd(22)} [{bar}] {percentage}% | {value}/{total} | ETA {eta_formatted} {detail}`,
    hideCursor: true,
    clearOnComplete: false,
  }, cliProgress.Presets.shades_classic);
  bar.start(total, 0, { detail: '' });
  return {
    update(done, payload) { bar.update(done, { detail: '', ...payload }); },
    stop() { bar.stop(); },
  };
}
