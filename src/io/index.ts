// Node-only file helpers (node:fs): atomic, fsynced writes of files and directories. Kept out of every index.ts the
// browser bundle reaches.
export { writeFileAtomic, writeDirAtomic, type AtomicWriteOptions } from './atomic.js';
