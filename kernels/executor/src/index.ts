export { runNotebook, INTERRUPT_GRACE_MS, SKIP_EXECUTION_TAG } from './run-notebook';
export type { RunNotebookOptions, ExecutorEvent, RunStatus, RunResult } from './run-notebook';
export { assertNotebook } from './notebook';
export type {
  NotebookDocument,
  NotebookCell,
  CodeCell,
  MarkdownCell,
  RawCell,
  NotebookOutput,
  StreamOutput,
  DisplayDataOutput,
  ExecuteResultOutput,
  ErrorOutput,
  CellMetadata,
  CellPapermillMetadata,
  MultilineString,
} from './notebook';
export { renderParameters, injectParameters, PARAMETERS_TAG, INJECTED_PARAMETERS_TAG } from './parameters';
export { setParameterDefaults, type ParameterDefaultsResult } from './parameter-defaults';
export { sqlFileNotebook, SQL_KERNEL_NAME } from './sql-file';
export { TASK_VALUES_MIME } from './task-values';
export { CHECK_MIME, CHECK_SUMMARY_MIME, checkResultIn } from './checks';
export type { CheckResult, CheckCurrencyImpact, CheckStatus, CheckSeverity, CheckJsonValue } from './checks';
export { ERROR_CELL_TAG } from './papermill-metadata';
