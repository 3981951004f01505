/** Content types for /files downloads and the contents model (a small, explicit table). */
const TYPES: Record<string, string> = {
  ipynb: 'application/x-ipynb+json',
  json: 'application/json',
  txt: 'text/plain',
  md: 'text/markdown',
  py: 'text/x-python',
  ts: 'text/typescript',
  js: 'text/javascript',
  sql: 'application/sql',
  csv: 'text/csv',
  tsv: 'text/tab-separated-values',
  html: 'text/html',
  htm: 'text/html',
  css: 'text/css',
  xml: 'application/xml',
  yaml: 'application/yaml',
  yml: 'application/yaml',
  svg: 'image/svg+xml',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  pdf: 'application/pdf',
  zip: 'application/zip',
  gz: 'application/gzip',
  parquet: 'application/vnd.apache.parquet',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  sh: 'application/x-sh',
  toml: 'application/toml',
};

export function mimeFor(name: string): string | undefined {
  const i = name.lastIndexOf('.');
  return i < 0 ? undefined : TYPES[name.slice(i + 1).toLowerCase()];
}

export function isTextMime(m: string | undefined): boolean {
  return !!m && (m.startsWith('text/') || /json|xml|yaml|sql|x-sh|toml|javascript|typescript|svg/.test(m));
}
