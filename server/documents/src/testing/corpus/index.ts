export { generateCorpus, CORPUS_VERSION, type CorpusDocument, type GenerateCorpusOptions } from './generate';
export { documentSpec, formatDate, formatNumber, LAYOUTS, type DocumentKind, type DocumentSpec, type Layout, type Truth, type TruthLine } from './documents';
export { scoreExtraction, SCORED_FIELDS, type DocumentScore, type FieldScore, type ScoredField } from './score';
export { CorpusRenderer } from './render';
