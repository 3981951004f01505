/**
 * Which files the upload offers and with which Content-Type they are sent.
 * The server decides by the bytes (magic numbers, size, pages) and answers
 * 415, 413 or 400 with its reason; this only picks the type a browser
 * leaves empty (TIFF often has none). A file of another type is sent as
 * application/octet-stream, for the server to refuse with its own words.
 */

export const UPLOAD_TYPES = ['application/pdf', 'image/png', 'image/jpeg', 'image/tiff'] as const;
export type UploadType = (typeof UPLOAD_TYPES)[number];

/** The file input's `accept`. */
export const UPLOAD_ACCEPT = '.pdf,.png,.jpg,.jpeg,.tif,.tiff,application/pdf,image/png,image/jpeg,image/tiff';

const BY_EXTENSION: Record<string, UploadType> = { pdf: 'application/pdf', png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', tif: 'image/tiff', tiff: 'image/tiff' };

/** The file's media type: the browser's when it is one of ours, else by the name's extension; undefined when neither says. */
export function mediaTypeOf(file: { type?: string; name?: string }): UploadType | undefined {
  const t = (file.type ?? '').toLowerCase();
  if ((UPLOAD_TYPES as readonly string[]).includes(t)) return t as UploadType;
  const ext = /\.([a-z0-9]+)$/i.exec(file.name ?? '')?.[1]?.toLowerCase();
  return ext === undefined ? undefined : BY_EXTENSION[ext];
}
