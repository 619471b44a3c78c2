// Node-only report API: everything in ./index.ts plus the atomic writer, the validated reader and writeReports.
export * from './index.js';
export { writeFileAtomic, writeResultsAtomic, readResults, type AtomicWriteOptions } from './write.js';
export { writeReports, type ReportFormat, type WriteReportsOptions, type WrittenReports } from './files.js';
