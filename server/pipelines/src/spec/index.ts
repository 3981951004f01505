/**
 * Pipelines as code: `*.pipeline.yaml` files parsed and checked into
 * PipelineSpecs, their task DAG, and the templates their parameters hold.
 * The file format is documented in server/pipelines/README.md.
 */
export type * from './pipeline-spec';
export { parsePipeline, DEFAULT_MAX_PARALLEL, DEFAULT_RETRY } from './parse-pipeline';
export { PipelineSpecError, type SpecIssue } from './spec-issue';
export { isPipelineFile } from './workspace-path';
export { PIPELINE_JSON_SCHEMA } from './pipeline-schema';
export { taskOrder, downstreamOf } from './task-graph';
export { renderTemplate, templateReferences, type TemplateContext } from './template';
export { resolveParameters } from './resolve-parameters';
export { isDate } from './parameter-values';
export { parseDuration } from './duration';
