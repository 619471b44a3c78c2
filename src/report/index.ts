// Reports (DESIGN §4 src/report): results.json schema and validation, Markdown and HTML summaries. Browser-safe:
// no node: imports here — the Node-only atomic writer and reader are in ./node.ts.
export * from './types.js';
export { RESULTS_JSON_SCHEMA, ResultsError, validateResults, toJsonValue, pointerToPath } from './schema.js';
export { stringifyResults } from './json.js';
export { markdownSummary, markdownTable, markdownTables, accuracyHeading, SUMMARY_LEGEND, ACCURACY_LEGEND } from './markdown.js';
export { wilsonInterval, accuracyInterval, accuracyRecord, correctCount, Z95 } from './interval.js';
export { htmlReport, escapeHtml, type HtmlReportOptions } from './html.js';
export {
  costSpec, reuseSpec, reuseRows, heatmapSpec, heatmapSwitch, paretoSpec, tradeoffRows, renderSvg, renderSvgAsync, type ScaleMode, type TradeoffRow,
} from './charts.js';
export {
  summaryTable, summaryJson, orderedStrategies, reductionPercent, scenarioFacts, accuracyTable, accuracyGaps, paretoTable,
  fmtAccuracyCi, uniformClaimSamples, accuracyFact, trainingFact, type SummaryRow, type SummaryTable,
} from './table.js';
export { replaceBetweenMarkers, readmeBlock, MarkerError, type ReadmeBlock } from './readme.js';
