/**
 * A change to a template's manifest in words, for the History section
 * (template-history.ts). Pure: no DOM, so node tests import it.
 */
import type { ManifestChange, TemplateParameter } from './types';

const FIELD_LABELS: Record<string, string> = { title: 'Title', description: 'Description', folder: 'Default folder', open: 'Opened after install' };

/** "Title: “Recon” → “Bank recon”", "Parameter month added", ... */
export function manifestChangeText(c: ManifestChange): string {
  if (c.field.startsWith('parameters.')) {
    const name = c.field.slice('parameters.'.length);
    if (c.old === null) return `Parameter ${name} added`;
    if (c.new === null) return `Parameter ${name} removed`;
    const [a, b] = [c.old as TemplateParameter, c.new as TemplateParameter];
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => JSON.stringify(a[k as keyof TemplateParameter]) !== JSON.stringify(b[k as keyof TemplateParameter]));
    return `Parameter ${name}: ${keys.map((k) => `${k} ${shown(a[k as keyof TemplateParameter])} → ${shown(b[k as keyof TemplateParameter])}`).join(', ')}`;
  }
  return `${FIELD_LABELS[c.field] ?? c.field}: ${shown(c.old)} → ${shown(c.new)}`;
}

function shown(v: unknown): string {
  if (v === null || v === undefined || v === '') return '(none)';
  return typeof v === 'string' ? `“${v}”` : JSON.stringify(v);
}
