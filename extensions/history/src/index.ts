/**
 * @workbench/history: client and widgets for Workbench's version history
 * (`{base}api/history`). The JupyterLab wiring lives in @workbench/history-extension.
 */
export * from './types';
export { historyUrl, errorFromResponse, errorText, networkError, HistoryError } from './history-api';
export type { HistoryEndpoint, HistoryErrorKind } from './history-api';
export { HistoryClient } from './history-client';
export type { HistoryClientOptions, RequestOptions } from './history-client';
export { readDiffResponse, readRestoredModel, readVersionContent, readVersionList } from './validate';
export { changeLabel, formatAbsoluteTime, formatAuthor, formatRelativeTime, versionItem } from './format';
export type { FormatOptions, VersionItem } from './format';
export { changeLine, collapseLines, diffModel, outputText, withGaps } from './diff-model';
export type { CellBlock, ChangeLine, DiffModel, DiffModelOptions, OutputsBlock, RenderLine } from './diff-model';
export { VersionsList } from './versions-list';
export type { ListState } from './versions-list';
export { DiffView, diffBody } from './diff-view';
export type { DiffState, DiffViewOptions } from './diff-view';
export { HistoryPanel } from './history-panel';
export type { HistoryPanelOptions, PanelState, RestoreRequest } from './history-panel';
