/**
 * The "Run with parameters" form's values: each field starts as its
 * parameter's default (as text; a template as written), and only the
 * fields changed from it are sent as overrides, as typed (the server
 * reads text by the parameter's type). Pure.
 */
import { formatValue } from './format';
import type { ParameterSpec, PipelineSpec } from './types';

/** A default rendered per run, such as "{{ period.end }}". */
export const isTemplate = (v: unknown): boolean => typeof v === 'string' && v.includes('{{');

/** A parameter's default as the text of its field. */
export function defaultText(p: ParameterSpec): string {
  return p.default === undefined ? '' : formatValue(p.default);
}

/** The overrides a form sends: the fields whose text differs from the default's (booleans as true/false). */
export function changedParameters(spec: Pick<PipelineSpec, 'parameters'>, values: Readonly<Record<string, string | boolean>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, p] of Object.entries(spec.parameters)) {
    const v = values[name];
    if (v === undefined) continue;
    if (typeof v === 'boolean') {
      if (v !== p.default) out[name] = v;
    } else if (v !== defaultText(p)) out[name] = v;
  }
  return out;
}
