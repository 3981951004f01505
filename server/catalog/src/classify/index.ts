export { PII_TAGS, type PiiClass } from './pii-class';
export { classifyColumn, type ClassificationSuggestion, type ClassifyColumnOptions, type ColumnSample } from './classify-column';
