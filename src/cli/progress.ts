// Progress bars for long CLI work (cli-progress). Silent when stderr is not a terminal or output is JSON, so
// machine-readable output stays clean.
import cliProgress from 'cli-progress';

export interface Progress {
  update(done: number, payload?: Record<string, string | number>): void;
  stop(): void;
}

const silent: Progress = { update() {}, stop() {} };

/** A bar on stderr with a label, ETA and an optional detail field. */
export function progressBar(label: string, total: number, opts: { quiet?: boolean } = {}): Progress {
  if (opts.quiet || !process.stderr.isTTY || total <= 0) return silent;
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
