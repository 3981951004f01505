/** Catalog search: an in-memory, typo-tolerant, ranked index over catalog documents. */
export { SearchIndex } from './search-index';
export type { MatchClass, MatchField, SearchDoc, SearchHit, SearchKind, SearchOptions } from './types';
