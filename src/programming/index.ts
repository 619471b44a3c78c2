// Write-verify programming (DESIGN §2.1): pool driver, accounting, calibrated scheme presets, expected-cost table.
export { programPool, checkProgramming, NO_TARGET } from './program.js';
export type { ProgramOptions, ProgramResult, PerCellCounts, RegionSpec } from './program.js';
export { landingProblem, landingWarning } from './landing.js';
export type { LandingProblem } from './landing.js';
export { histogramQuantile, listSchedule, emptyTotals } from './report.js';
export type { ProgramReport, ProgramTotals, PulseDistribution, WearSummary } from './report.js';
export { expectedCostTable, clearCostTableCache, costTableKey } from './cost-table.js';
export type { ExpectedCostTable, CostTableOptions } from './cost-table.js';
export { schemePresets, withScheme, schemeNames, calibrationTargets, measureSchemeStats, CALIBRATED_DEVICE } from './calibration.js';
export type { SchemeName, SchemePreset, SchemeStats } from './calibration.js';
export { CrossbarPool, FAULT_NONE, FAULT_STUCK_HRS, FAULT_STUCK_LRS, STATUS_VERIFIED, STATUS_UNVERIFIED } from '../hardware/pool.js';
export type { PoolOptions } from '../hardware/pool.js';
