// Imported first by every generated uvu suite bundle (web/tools/uvu-browser.ts): installs the console relay and
// puts uvu in deferred ("CLI") mode before uvu itself is evaluated, so the suite bundle decides when exec() runs
// and knows when it has finished.
import './worker-runtime.js';

const g = globalThis as unknown as { UVU_DEFER?: number; UVU_QUEUE?: unknown[][]; UVU_INDEX?: number };
g.UVU_DEFER = 1;
g.UVU_QUEUE = [[null]];
g.UVU_INDEX = 0;
