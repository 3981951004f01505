/**
 * Renders a Helm chart directory the way `helm template` does, for tests:
 * Chart.yaml checked, values.yaml coalesced with the given values (maps
 * merge, null deletes), the result validated against values.schema.json,
 * every template parsed into one set (so `define`s in _helpers.tpl are
 * shared), each non-partial file executed with .Values / .Release / .Chart /
 * .Capabilities / .Template, "<no value>" removed, and the output split into
 * YAML documents parsed with YAML 1.1 rules as Kubernetes reads them.
 *
 * No subcharts, no .Files, no `tpl`: the Workbench chart uses none of them.
 * References: https://helm.sh/docs/topics/charts/ and Helm's pkg/engine.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import Ajv, { ErrorObject } from 'ajv';
import { parse, parseAllDocuments } from 'yaml';
import { GoValue, isMap } from './go-format';
import { TemplateSet } from './go-template-exec';
import { HelmFunctionOptions, helmFunctions } from './helm-functions';

export interface RenderOptions extends HelmFunctionOptions {
  /** Values given at install (`-f` / `--set`), coalesced over values.yaml. */
  values?: Record<string, unknown>;
  release?: { name?: string; namespace?: string; revision?: number; isUpgrade?: boolean };
  /** Cluster version `.Capabilities.KubeVersion` reports, e.g. "v1.36.0". */
  kubeVersion?: string;
}

export interface Manifest {
  /** Template the document came from, relative to the chart: templates/deployment.yaml. */
  source: string;
  doc: Record<string, unknown>;
}

export interface RenderedChart {
  values: Record<string, GoValue>;
  /** Rendered text per template file (relative path), partials and NOTES.txt excluded. */
  files: Record<string, string>;
  notes: string;
  manifests: Manifest[];
}

export class ChartError extends Error {}

const YAML_OPTIONS = {
  version: '1.1' as const,
  // Kubernetes' YAML reader turns timestamps into strings, not dates.
  customTags: (tags: Array<{ tag: string }>) => tags.filter((t) => !String(t.tag).endsWith(':timestamp')),
};

export function readYaml(text: string, where: string): unknown {
  try {
    return parse(text, YAML_OPTIONS as never);
  } catch (e) {
    throw new ChartError(`Cannot parse ${where}: ${(e as Error).message}`);
  }
}

/** Chart.yaml's fields as templates see them (.Chart.Name, .Chart.AppVersion...). */
export function readChartMetadata(chartDir: string): Record<string, GoValue> {
  const meta = readYaml(readFileSync(join(chartDir, 'Chart.yaml'), 'utf8'), 'Chart.yaml');
  if (!isMap(meta)) throw new ChartError('Cannot read Chart.yaml: not a mapping');
  if (meta.apiVersion !== 'v2') throw new ChartError(`Cannot use Chart.yaml: apiVersion must be v2, got ${String(meta.apiVersion)}`);
  if (typeof meta.name !== 'string' || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(meta.name)) throw new ChartError('Cannot use Chart.yaml: name must be a lowercase DNS label');
  if (typeof meta.version !== 'string' || !/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/.test(meta.version)) {
    throw new ChartError('Cannot use Chart.yaml: version must be a SemVer 2 string');
  }
  const out: Record<string, GoValue> = {};
  for (const [k, v] of Object.entries(meta)) out[k === 'apiVersion' ? 'APIVersion' : k[0]!.toUpperCase() + k.slice(1)] = v as GoValue;
  return out;
}

/** Helm's coalescing of user values over chart defaults. */
export function coalesceValues(defaults: Record<string, GoValue>, given: Record<string, unknown>): Record<string, GoValue> {
  const out: Record<string, GoValue> = structuredClone(defaults);
  for (const [k, v] of Object.entries(given)) {
    if (v === null) delete out[k];
    else if (isMap(out[k]) && isMap(v)) out[k] = coalesceValues(out[k] as Record<string, GoValue>, v);
    else out[k] = structuredClone(v) as GoValue;
  }
  return out;
}

/** Messages for values that values.schema.json refuses (empty when it accepts them). */
export function checkValues(schema: object, values: unknown): string[] {
  const ajv = new Ajv({ allErrors: true, strict: true });
  const validate = ajv.compile(schema);
  if (validate(values)) return [];
  return (validate.errors ?? []).map(formatSchemaError);
}

export function formatSchemaError(e: ErrorObject): string {
  const at = e.instancePath || '(root)';
  if (e.keyword === 'additionalProperties') return `${at}: unknown key "${(e.params as { additionalProperty: string }).additionalProperty}"`;
  if (e.keyword === 'enum') return `${at}: must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
  return `${at}: ${e.message}`;
}

function templateFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...templateFiles(full));
    else if (/\.(ya?ml|tpl|txt)$/.test(name)) out.push(full);
  }
  return out;
}

export function renderChart(chartDir: string, options: RenderOptions = {}): RenderedChart {
  const chart = readChartMetadata(chartDir);
  const chartName = chart.Name as string;
  const defaults = readYaml(readFileSync(join(chartDir, 'values.yaml'), 'utf8'), 'values.yaml') ?? {};
  if (!isMap(defaults)) throw new ChartError('Cannot use values.yaml: not a mapping');
  const values = coalesceValues(defaults, options.values ?? {});
  let schemaText: string | undefined;
  try {
    schemaText = readFileSync(join(chartDir, 'values.schema.json'), 'utf8');
  } catch {
    schemaText = undefined;
  }
  if (schemaText !== undefined) {
    const errors = checkValues(JSON.parse(schemaText) as object, values);
    if (errors.length > 0) throw new ChartError(`Cannot render chart ${chartName}: values do not match values.schema.json:\n- ${errors.join('\n- ')}`);
  }

  const set: TemplateSet = new TemplateSet(helmFunctions(() => set, options));
  const templatesDir = join(chartDir, 'templates');
  const files = templateFiles(templatesDir).map((full) => ({ rel: relative(chartDir, full).split(sep).join('/'), full }));
  for (const f of files) set.add(`${chartName}/${f.rel}`, readFileSync(f.full, 'utf8'));

  const kube = /^v?(\d+)\.(\d+)/.exec(options.kubeVersion ?? 'v1.36.0');
  if (!kube) throw new ChartError(`Cannot use kubeVersion ${options.kubeVersion}: expected vMAJOR.MINOR.PATCH`);
  const release = options.release ?? {};
  const top = (templateName: string): GoValue => ({
    Values: values,
    Chart: chart,
    Release: {
      Name: release.name ?? 'release-name',
      Namespace: release.namespace ?? 'default',
      Service: 'Helm',
      Revision: BigInt(release.revision ?? 1),
      IsInstall: !release.isUpgrade,
      IsUpgrade: Boolean(release.isUpgrade),
    },
    Capabilities: { KubeVersion: { Version: options.kubeVersion ?? 'v1.36.0', Major: kube[1]!, Minor: kube[2]! } },
    Template: { Name: templateName, BasePath: `${chartName}/templates` },
  });

  const rendered: Record<string, string> = {};
  let notes = '';
  for (const f of files) {
    const base = f.rel.slice(f.rel.lastIndexOf('/') + 1);
    if (base.startsWith('_')) continue;
    const name = `${chartName}/${f.rel}`;
    const text = set.execute(name, top(name)).split('<no value>').join('');
    if (base === 'NOTES.txt') notes = text;
    else rendered[f.rel] = text;
  }

  const manifests: Manifest[] = [];
  for (const [source, text] of Object.entries(rendered)) {
    for (const d of parseAllDocuments(text, YAML_OPTIONS as never) as unknown as Array<{ errors: Error[]; toJS(): unknown }>) {
      if (d.errors.length > 0) throw new ChartError(`Cannot parse the output of ${source}: ${d.errors[0]!.message}\n${numbered(text)}`);
      const doc = d.toJS();
      if (doc === null || doc === undefined) continue;
      if (!isMap(doc)) throw new ChartError(`Cannot use the output of ${source}: a document is not a mapping`);
      manifests.push({ source, doc });
    }
  }
  return { values, files: rendered, notes, manifests };
}

function numbered(text: string): string {
  return text
    .split('\n')
    .map((l, i) => `${String(i + 1).padStart(4)} | ${l}`)
    .join('\n');
}
