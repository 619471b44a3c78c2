// Node-only report API: everything in ./index.ts plus the atomic writer, the validated reader, writeReports and
// writeOutputs.
export * from './index.js';
export { writeFileAtomic, writeResultsAtomic, readResults, type AtomicWriteOptions } from './write.js';
export { writeOutputs, writeReports, type ReportFormat, type WriteReportsOptions, type WrittenReports } from './files.js';
