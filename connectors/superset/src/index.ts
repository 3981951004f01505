export { SupersetClient } from './superset-client';
export type { CallOptions, DatasetUpdate, NewDataset, PublishResult, PublishTarget, SupersetClientOptions } from './superset-client';
export { SupersetError, formatSupersetMessage, isSupersetError, supersetMessageOf } from './superset-error';
export type { SupersetMessage } from './superset-error';
export type { SupersetColumn, SupersetDatabase, SupersetDataset, SupersetDatasetSummary, SupersetMetric } from './superset-responses';
export { RisonSyntaxError, risonDecode, risonEncode } from './rison';
export type { RisonValue } from './rison';
