/**
 * @workbench/pipelines-ui: client and widgets for Workbench's pipelines
 * (`{base}api/pipelines`, `{base}api/runs`): the list with its run-history
 * matrix, pipeline pages (DAG laid out by elkjs, schedules, parameters,
 * runs, YAML), run pages with live logs, the dashboard, the side panel and
 * the Create job dialog. The server package is @workbench/pipelines; the
 * JupyterLab wiring lives in @workbench/pipelines-extension.
 */
export * from './types';
export { errorFromResponse, errorText, isAbort, issuesOf, networkError, PipelinesError, pipelinesErrors } from './pipelines-api';
export type { PipelinesErrorKind } from './pipelines-api';
export { PipelinesClient } from './pipelines-client';
export type { PipelinesClientOptions, RequestOptions } from './pipelines-client';
export { readAbilities, readIssues, readPipeline, readPipelineRecord, readPipelines, readRepair, readRun, readRunDetail, readRunEvent, readRunRows, readRuns } from './validate';
export { SseParser } from './sse-parser';
export type { SseEvent } from './sse-parser';
export { reconnectDelay, retryableStatus, RunEventStream } from './run-events';
export type { RunEventStreamOptions, StreamState } from './run-events';
export * from './format';
export { buildMatrix, cellTitle, MATRIX_RUNS } from './run-matrix';
export type { MatrixCell, MatrixRow, RunMatrix } from './run-matrix';
export { canCancel, canRepair, canRollback, repairTasks } from './repair-plan';
export { runProgress } from './run-progress';
export type { RunProgress } from './run-progress';
export { edgePath, fitText, placeDag, toDagGraph } from './dag-graph';
export type { DagEdge, DagModel, DagNode, MeasureText, PlacedDag, PlacedEdge, PlacedNode } from './dag-graph';
export { layoutDag, loadElk } from './dag-layout';
export type { DagLayoutOptions } from './dag-layout';
export { parametersCellSource, readLiteral, readParametersCell } from './notebook-parameters';
export type { NotebookParameter, ParametersCell } from './notebook-parameters';
export { checkJobForm, jobPath, jobYaml, readDefault, taskIdOf } from './job-yaml';
export type { JobForm, JobParameter, JobProblem, JobSchedule, JobScheduleKind } from './job-yaml';
export { Coalescer, Poll } from './refresh-timers';
export { READ_ONLY } from './screen-options';
export type { ScreenOptions } from './screen-options';
export { legend, matrixView } from './matrix-view';
export { DagView } from './dag-view';
export type { DagViewOptions } from './dag-view';
export { runsTable } from './runs-table';
export { defaultTask, LogStore, LogView, MAX_LINES } from './log-view';
export { backfillSummary, showBackfillDialog, showRunDialog } from './run-dialog';
export { changedParameters, defaultText, isTemplate } from './parameter-form';
export { showCreateJobDialog } from './job-dialog';
export type { CreateJobOptions } from './job-dialog';
export { PipelinesList } from './pipelines-list';
export { PipelinePage } from './pipeline-page';
export type { PipelinePageOptions } from './pipeline-page';
export { RunPage } from './run-page';
export { tasksTable } from './tasks-table';
export { checkOutcome, checksSummary, countChecks, currencyImpactLines, currencyImpactTitle, impactComparison, OUTCOME_LABELS, orderChecks, sampleCaption, sampleValueText, summaryParts } from './check-outcome';
export type { CheckCounts, CheckOutcome, CurrencyImpactLine } from './check-outcome';
export { checksView, openSamples } from './checks-view';
export { confirmCancel, confirmRepair } from './run-confirm';
export { showRollbackDialog } from './rollback-dialog';
export type { RollbackDialogOptions } from './rollback-dialog';
export type { RunPageOptions } from './run-page';
export { PipelinesDashboard } from './dashboard';
export type { DashboardData, DashboardOptions } from './dashboard';
export { alertsOf } from './alerts';
export type { Alert } from './alerts';
export { PipelinesSidebar } from './pipelines-sidebar';
export type { PipelinesSidebarOptions } from './pipelines-sidebar';
