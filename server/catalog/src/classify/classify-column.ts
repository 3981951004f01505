/**
 * Suggest PII tags for one column from its name, its table's name, its
 * database type and a sample of its values. Suggestions are for a person
 * to confirm; only confirmed tags mask anything.
 *
 * Confidence (0..1, two decimals), per class:
 *   n = non-null values sampled (first 1,000 values looked at), m = matches,
 *   v = sum of the matching values' weights / n (see detectors.ts),
 *   h = what the column name alone gives (0.4-0.6; see column-name.ts),
 *   w = min(1, n / 10): with 10 or more values, the values decide.
 *   - no values:           c = h                      (basis 'name')
 *   - otherwise:           c = w*v + (1-w)*(h or 0.25, an uninformed prior)
 *   - name and values agree (h and m > 0): c += (1-c) * h/2
 *   - person_name on a table that is not about people (account_account,
 *     product_template) or a column named for something else
 *     (product_name): the name hint is ignored and c is halved.
 * A class is considered only when the name hints at it or a value matches.
 * Numeric, date/time, boolean, binary and uuid columns are never emails,
 * names, phones, cards or IBANs; a numeric column can only be a tax id, and
 * only when its name announces a bare SIREN, SIRET or SSN.
 */
import { nameHint, notPeopleToken, tableKind, type NameHint } from './column-name';
import { DETECTORS } from './detectors';
import { PII_CLASSES, type PiiClass } from './pii-class';
import { MAX_VALUES, valueText } from './value-text';

export interface ClassificationSuggestion {
  tag: `pii:${PiiClass}`;
  /** 0..1, two decimals. */
  confidence: number;
  basis: 'name' | 'values' | 'name+values';
  /** One or more clauses a person reads before confirming, e.g. "41 of 50 sampled values are valid IBANs (mod-97 checked); …". */
  reason: string;
  /** Values that matched / non-null values looked at. */
  matched: number;
  sampled: number;
}

export interface ColumnSample {
  name: string;
  /** The database's type name: 'character varying', 'VARCHAR', 'integer', 'numeric(16,2)', … */
  type: string;
  /** Sampled values, nulls included; only the first 1,000 are looked at. */
  values: readonly unknown[];
  tableName?: string;
}

export interface ClassifyColumnOptions {
  /** Suggestions below this are dropped; default 0.5. */
  minConfidence?: number;
}

export type TypeFamily = 'text' | 'numeric' | 'temporal' | 'boolean' | 'opaque';

const NUMERIC = /^(?:u?(?:tiny|small|medium|big|huge)?int(?:eger)?\d*|int[1248]|numeric|decimal|dec|number|real|float\d*|double(?: precision)?|money|smallmoney|(?:small|big)?serial\d*|varint)$/;
const TEMPORAL = /^(?:date|time|timestamp|timestamptz|timetz|datetime\d*|smalldatetime|datetimeoffset|interval|year)\b/;
const BOOLEAN = /^(?:bool|boolean|bit|logical)$/;
const OPAQUE = /^(?:bytea|blob|tinyblob|mediumblob|longblob|binary|varbinary|uuid|uniqueidentifier|geometry|geography|point|inet|cidr|macaddr|tsvector|oid|struct|map|list|union)\b/;

/** The kind of a database type name, from PostgreSQL, DuckDB, MySQL or SQL Server spellings. */
export function typeFamily(type: string): TypeFamily {
  const t = type
    .toLowerCase()
    .replace(/\([^)]*\)/g, '')
    .replace(/\b(?:unsigned|signed)\b/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  if (t.endsWith('[]') || t === 'array' || t.startsWith('_')) return 'opaque';
  if (NUMERIC.test(t)) return 'numeric';
  if (TEMPORAL.test(t)) return 'temporal';
  if (BOOLEAN.test(t)) return 'boolean';
  if (OPAQUE.test(t)) return 'opaque';
  return 'text';
}

const FULL_WEIGHT_AT = 10;
const NO_HINT_PRIOR = 0.25;
const PEOPLE_TABLE_NAME_HINT = 0.5;
const NOT_PEOPLE_FACTOR = 0.5;

interface Tally {
  matched: number;
  weight: number;
  near: number;
  kinds: Map<string, number>;
}

interface Candidate {
  cls: PiiClass;
  hint: NameHint | null;
  /** Why a person_name suggestion is halved, or null. */
  damped: string | null;
  tally: Tally;
}

function candidates(sample: ColumnSample, family: TypeFamily): Candidate[] {
  const out: Candidate[] = [];
  for (const cls of PII_CLASSES) {
    let hint = nameHint(cls, sample.name);
    if (family === 'numeric' && !(cls === 'tax_id' && hint?.bare)) continue;
    let damped: string | null = null;
    if (cls === 'person_name') {
      const table = tableKind(sample.tableName);
      const away = notPeopleToken(sample.name);
      if (table === 'not_people') damped = `the table "${sample.tableName}" is not about people`;
      else if (away) damped = `the column name's "${away}" points away from people`;
      if (damped) hint = null;
      else if (hint && table === 'people' && hint.strength < PEOPLE_TABLE_NAME_HINT) hint = { ...hint, strength: PEOPLE_TABLE_NAME_HINT };
    }
    out.push({ cls, hint, damped, tally: { matched: 0, weight: 0, near: 0, kinds: new Map() } });
  }
  return out;
}

function sentence(clauses: readonly string[]): string {
  const s = clauses.filter((c) => c !== '').join('; ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

const round2 = (x: number): number => Math.round(Math.min(1, Math.max(0, x)) * 100) / 100;

export function classifyColumn(sample: ColumnSample, options: ClassifyColumnOptions = {}): ClassificationSuggestion[] {
  const minConfidence = options.minConfidence ?? 0.5;
  const family = typeFamily(sample.type);
  if (family !== 'text' && family !== 'numeric') return [];
  const cands = candidates(sample, family);
  if (cands.length === 0) return [];

  let sampled = 0;
  const n = Math.min(sample.values.length, MAX_VALUES);
  for (let i = 0; i < n; i++) {
    const v = valueText(sample.values[i]);
    if (v.kind === 'absent') continue;
    sampled++;
    if (v.kind === 'opaque') continue;
    for (const c of cands) {
      const verdict = DETECTORS[c.cls].detect(v.text, c.hint);
      if (!verdict) continue;
      if (verdict.match) {
        c.tally.matched++;
        c.tally.weight += verdict.weight;
        if (verdict.kind !== undefined) c.tally.kinds.set(verdict.kind, (c.tally.kinds.get(verdict.kind) ?? 0) + 1);
      } else {
        c.tally.near++;
      }
    }
  }

  const out: ClassificationSuggestion[] = [];
  for (const { cls, hint, damped, tally } of cands) {
    if (!hint && tally.matched === 0) continue;
    const d = DETECTORS[cls];
    let c: number;
    if (sampled === 0) {
      c = hint!.strength;
    } else {
      const w = Math.min(1, sampled / FULL_WEIGHT_AT);
      c = w * (tally.weight / sampled) + (1 - w) * (hint ? hint.strength : NO_HINT_PRIOR);
      if (hint && tally.matched > 0) c += ((1 - c) * hint.strength) / 2;
    }
    if (damped) c *= NOT_PEOPLE_FACTOR;
    const confidence = round2(c);
    if (confidence <= 0 || confidence < minConfidence) continue;

    const values = sampled === 0 ? 'no non-null values were sampled' : `${tally.matched} of ${sampled} sampled ${sampled === 1 && tally.matched === 1 ? 'value' : 'values'} ${d.matches(tally.matched, tally.kinds)}`;
    const near = tally.near > 0 && d.nearMisses ? d.nearMisses(tally.near, tally.matched) : '';
    const name = hint ? `the column name "${sample.name}" suggests ${d.label}` : '';
    const basis: ClassificationSuggestion['basis'] = !hint ? 'values' : tally.matched > 0 ? 'name+values' : 'name';
    const reason = basis === 'name' ? sentence([name, values, near, damped ?? '']) : sentence([values, near, name, damped ?? '']);
    out.push({ tag: `pii:${cls}`, confidence, basis, reason, matched: tally.matched, sampled });
  }
  return out.sort((a, b) => b.confidence - a.confidence || PII_CLASSES.indexOf(tagClass(a.tag)) - PII_CLASSES.indexOf(tagClass(b.tag)));
}

function tagClass(tag: `pii:${PiiClass}`): PiiClass {
  return tag.slice(4) as PiiClass;
}
