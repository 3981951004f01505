/**
 * @workbench/dependencies-ui: cell dependencies in JupyterLab notebooks
 * (issue 17). Per open notebook, `NotebookDependencies` keeps each code
 * cell's analysis (from `POST api/dependencies/analyze`) and its last run
 * in the cell's metadata (`workbench.deps`) and builds the graph
 * (@workbench/dependencies/graph); `CellMarks` draws stale and warning
 * badges on the cells; `runPlan` runs "the cell and everything downstream"
 * or "what the cell needs"; `GuardedExecutor` asks before a cell that reads
 * a later cell's name runs; `DependenciesPanel` is the side panel. The
 * JupyterLab plugin is @workbench/dependencies-extension.
 */
export { analysisUpdates, analyzeRequestCells, cellsToAnalyze, notebookLanguage, shouldAnalyze, trackedCells } from './select-cells';
export type { CellSnapshot } from './select-cells';
export { executionRecordOf, workbenchWithAnalysis, workbenchWithExecution } from './cell-metadata';
export { Debouncer } from './debouncer';
export type { Timers } from './debouncer';
export { DependenciesClient } from './dependencies-client';
export type { DependenciesClientOptions } from './dependencies-client';
export { DependenciesError, isAbort } from './dependencies-error';
export { describeCell, relatedCells } from './describe';
export type { CellDescription, CellLabel, CellWarning } from './describe';
export { planIndexes, planOf, readsLaterOf, unmetReadsLater } from './plan';
export type { PlanKind, ReadsLater } from './plan';
export { GuardedExecutor } from './guarded-executor';
export type { CellExecutor, GuardedRunOptions, RunGuard } from './guarded-executor';
export { NotebookDependencies } from './notebook-dependencies';
export type { AnalysisState, NotebookDependenciesOptions } from './notebook-dependencies';
export { CellMarks, badgesOf } from './cell-marks';
export type { Badge, BadgeKind } from './cell-marks';
export { confirmReadsLater } from './confirm-run';
export { runPlan } from './run-plan';
export type { PlanResult, RunPlanOptions } from './run-plan';
export { DependenciesPanel } from './dependencies-panel';
export type { DependenciesPanelOptions } from './dependencies-panel';
export { hashCellSource, sha256Hex } from './source-hash';
export * from './types';
