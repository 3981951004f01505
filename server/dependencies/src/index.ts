/**
 * Dependency tracking across notebook cells (issue 17, PRD NB-006): the
 * names each cell defines and reads (Python by its `ast`, SQL by
 * libpg-query with DuckDB's parser as fallback, TypeScript by its
 * compiler), the graph of edges, stale cells and run plans, and how it is
 * kept in cell metadata. See README.md.
 */
export type { CellAnalysis, CellLanguage, ExecutionRecord, NameAnalysis, NotebookCellSource } from './types';
export { CELL_LANGUAGES } from './types';
export { analyzeNotebook, DependencyAnalyzer, MAX_SOURCE_BYTES, type AnalyzeOptions, type AnalyzeResponse, type DependencyAnalyzerOptions } from './analyze-notebook';
export { PythonAnalyzer, type PythonAnalyzerOptions, type PythonCellResult, type PythonSql, type PythonTable, type SpawnPython } from './python-analyzer';
export { SqlAnalyzer, newSqlSession, resolveModelFolder, type ModelSource, type ReadModels, type SqlAnalyzerOptions, type SqlSession } from './sql-analyzer';
export { contentsModelReader, type ContentsModelReaderOptions, type ModelFolderContents } from './model-reader';
export { TypeScriptAnalyzer } from './typescript-analyzer';
export { buildGraph, downstream, upstream, type CellState, type CellStatus, type DependencyEdge, type DependencyGraph, type DependencyWarning, type GraphCell, type GraphOptions, type StaleReason } from './graph';
export { DEPS_METADATA_VERSION, graphCellOf, hashSource, readDepsMetadata, readExecution, withDepsMetadata, type DepsMetadata, type StoredAnalysis } from './metadata';
export { checkName, paramName, tableName, WAREHOUSE } from './names';
export { MAX_CELLS, MAX_PATH, parseAnalyzeRequest, type AnalyzeRequest, type AnalyzeRequestCell } from './request';
export { notebookLanguage, trackedCells, isBlankSource, type CellSnapshot, type NotebookCodeCell } from './notebook-cells';
export { withNotebookAnalysis } from './notebook-analysis';
