/**
 * A run's parameter values: the request's overrides, type-checked and
 * coerced, over the spec's defaults rendered for the run.
 */
import { AppError } from '@workbench/core';
import type { PipelineSpec } from './pipeline-spec';
import { coerceValue, inEnum, typeWords } from './parameter-values';
import { renderTemplate, type TemplateContext } from './template';

/**
 * Every declared parameter with a value, in declaration order (an optional
 * one without default or override is left out).
 * @throws AppError('bad_request') naming each unknown, ill-typed or missing parameter.
 */
export function resolveParameters(spec: PipelineSpec, overrides: Record<string, unknown>, ctx: Omit<TemplateContext, 'params'>): Record<string, unknown> {
  const problems = new Map<string, string>();
  for (const name of Object.keys(overrides)) {
    if (!Object.hasOwn(spec.parameters, name)) problems.set(name, `unknown parameter '${name}'`);
  }
  const out: [string, unknown][] = [];
  for (const [name, param] of Object.entries(spec.parameters)) {
    const given = Object.hasOwn(overrides, name) ? overrides[name] : undefined;
    let raw: unknown;
    let source: string;
    if (given !== undefined && given !== null) {
      raw = given;
      source = 'the value';
    } else if (param.default !== undefined) {
      try {
        raw = renderTemplate(param.default, { ...ctx, params: {} });
      } catch (err) {
        problems.set(name, `parameter '${name}': its default cannot be rendered (${err instanceof Error ? err.message : String(err)})`);
        continue;
      }
      source = 'its default';
    } else {
      if (param.required) problems.set(name, `parameter '${name}' (${typeWords(param.type)}) is required`);
      continue;
    }
    const coerced = coerceValue(raw, param.type);
    if (!coerced) {
      problems.set(name, `parameter '${name}' must be ${typeWords(param.type)}; ${source} is ${JSON.stringify(raw) ?? String(raw)}`);
      continue;
    }
    if (!inEnum(coerced.value, param)) {
      problems.set(name, `parameter '${name}' must be one of ${param.enum!.map((v) => JSON.stringify(v)).join(', ')}; ${source} is ${JSON.stringify(coerced.value)}`);
      continue;
    }
    out.push([name, coerced.value]);
  }
  const messages = [...problems.values()];
  if (messages.length > 0) {
    const parameters = Object.fromEntries(problems);
    // details.public reaches the HTTP error body: a form shows each message under its field.
    throw new AppError('bad_request', `Cannot resolve the parameters of pipeline ${spec.id}: ${messages.join('; ')}`, { details: { parameters, public: { parameters } } });
  }
  return Object.fromEntries(out);
}
