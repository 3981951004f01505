/**
 * The first line of a data-quality check cell:
 *
 *   %%expect NAME [severity=fail|warn] [amount=COLUMN] [currency=COLUMN]
 *                 [materiality=DECIMAL | materiality=CUR:DECIMAL,...[,*:DECIMAL]] [sample=N] [continue]
 *
 * NAME is bare (`[A-Za-z0-9_.-]+`) or a JSON double-quoted string
 * (`"Trial balance is zero"`, escapes as in JSON). Options come in any
 * order, each at most once; a value is bare (no spaces or `"`) or
 * JSON double-quoted (`amount="Net amount"`). `materiality` and
 * `currency` need `amount`. With `currency=COLUMN` the impact is weighed
 * per value of that column (each company currency on its own), and
 * `materiality` may list a threshold per currency:
 * `materiality=EUR:0.01,JPY:1,*:0.05` (`*`: every currency not listed;
 * a currency neither listed nor covered by `*` has 0). Currencies are
 * matched as the column's text, exactly (case included); a list needs
 * `currency=`. A plain `materiality=0.01` applies to every currency.
 * `continue` is a flag: a failed fail-severity check does not error its
 * cell (`%expect_summary` fails the run later). See README.md.
 */
import { SqlError } from './sql-error';

export type CheckSeverity = 'fail' | 'warn';

export interface ExpectSpec {
  name: string;
  severity: CheckSeverity;
  /** A column of the offending rows: the check's impact is the sum of its absolute values. */
  amount?: string;
  /** Cell offset of the `amount` value: engine errors about that column point there. */
  amountAt?: number;
  /** A column of the offending rows whose values (currencies) each get their own impact and materiality; only with `amount`. */
  currency?: string;
  /** Cell offset of the `currency` value: engine errors about that column point there. */
  currencyAt?: number;
  /** Decimal text (`"0.01"`), only with `amount`: the materiality of every currency, or (`*:0.05`) of those not in `currencyMateriality`; absent means 0. */
  materiality?: string;
  /** `materiality=EUR:0.01,JPY:1`: the listed currencies' materiality (decimal text), only with `currency`; an empty map for a list of `*` alone. */
  currencyMateriality?: ReadonlyMap<string, string>;
  /** Offending rows kept as the sample. */
  sample: number;
  /** A failed fail-severity check leaves its cell ok (`%expect_summary` reports it). */
  continueOnFailure: boolean;
}

export const DEFAULT_SAMPLE = 20;
export const MAX_SAMPLE = 1000;
const MAX_NAME = 200;
const BARE_NAME = /^[A-Za-z0-9_.-]+$/;
const DECIMAL = /^\d+(?:\.\d+)?$/;
const CONTROL = /[\u0000-\u001f\u007f]/;
const OPTIONS = ['severity', 'amount', 'currency', 'materiality', 'sample', 'continue'];
const EXAMPLE = 'e.g. %%expect unbalanced_moves severity=fail amount=difference materiality=0.01';

/** A name as messages show it: bare when it can be, else JSON-quoted. */
export function checkLabel(name: string): string {
  return BARE_NAME.test(name) ? name : JSON.stringify(name);
}

interface Word {
  key?: string;
  value: string;
  quoted: boolean;
  /** Cell offsets of the word and of its value. */
  at: number;
  valueAt: number;
}

/**
 * Parse the text after `%%expect` (`args`, starting at cell offset `at`).
 * Throws SqlError (kind `magic`) positioned in `code`.
 */
export function parseExpectLine(args: string, code: string, at: number): ExpectSpec {
  const fail = (message: string, position: number) => new SqlError(`Cannot parse %%expect: ${message}`, { kind: 'magic', position, text: code });
  const words = scan(args, at, fail);
  const first = words[0];
  if (!first || first.key !== undefined) throw fail(`it needs a check name first, ${EXAMPLE}`, first?.at ?? at);
  const name = first.value;
  if (first.quoted ? name.trim() === '' || CONTROL.test(name) || name.length > MAX_NAME : !BARE_NAME.test(name)) {
    throw fail(`${JSON.stringify(name)} is not a check name: use letters, digits, _ . - or quote it ("Trial balance is zero"; at most ${MAX_NAME} characters)`, first.at);
  }
  const spec: ExpectSpec = { name, severity: 'fail', sample: DEFAULT_SAMPLE, continueOnFailure: false };
  const seen = new Set<string>();
  for (const w of words.slice(1)) {
    const option = w.key ?? (w.quoted ? '' : w.value);
    if (!OPTIONS.includes(option)) throw fail(`unknown option ${w.key ?? w.value} (have ${OPTIONS.join(', ')})`, w.at);
    if (seen.has(option)) throw fail(`${option} is given twice`, w.at);
    seen.add(option);
    switch (option) {
      case 'continue':
        if (w.key !== undefined) throw fail('continue is a flag and takes no value', w.at);
        spec.continueOnFailure = true;
        break;
      case 'severity':
        if (w.value !== 'fail' && w.value !== 'warn') throw fail(`severity must be fail or warn, not ${JSON.stringify(w.value)}`, w.valueAt);
        spec.severity = w.value;
        break;
      case 'amount':
        if (w.value === '' || CONTROL.test(w.value)) throw fail('amount needs a column name of the offending rows', w.valueAt);
        spec.amount = w.value;
        spec.amountAt = w.valueAt;
        break;
      case 'currency':
        if (w.value === '' || CONTROL.test(w.value)) throw fail('currency needs a column name of the offending rows', w.valueAt);
        spec.currency = w.value;
        spec.currencyAt = w.valueAt;
        break;
      case 'materiality':
        if (w.value.includes(':')) {
          const list = parseCurrencyMateriality(w, fail);
          spec.currencyMateriality = list.byCurrency;
          if (list.otherwise !== undefined) spec.materiality = list.otherwise;
        } else {
          if (!DECIMAL.test(w.value)) throw fail(`materiality must be a non-negative decimal number such as 0.01, or a list per currency such as EUR:0.01,JPY:1,*:0.05, not ${JSON.stringify(w.value)}`, w.valueAt);
          spec.materiality = w.value;
        }
        break;
      case 'sample': {
        const n = /^\d+$/.test(w.value) ? Number(w.value) : NaN;
        if (!(n <= MAX_SAMPLE)) throw fail(`sample must be a whole number from 0 to ${MAX_SAMPLE}, not ${JSON.stringify(w.value)}`, w.valueAt);
        spec.sample = n;
        break;
      }
    }
  }
  const wordAt = (option: string) => words.find((w) => w.key === option)!.at;
  if ((spec.materiality !== undefined || spec.currencyMateriality !== undefined) && spec.amount === undefined) {
    throw fail('materiality needs amount=<column>: the impact it is compared with is the sum of that column', wordAt('materiality'));
  }
  if (spec.currency !== undefined && spec.amount === undefined) {
    throw fail('currency needs amount=<column>: it splits the impact, the sum of that column, by currency', wordAt('currency'));
  }
  if (spec.currencyMateriality !== undefined && spec.currency === undefined) {
    throw fail('a materiality per currency needs currency=<column>: the column of the offending rows whose values it names', wordAt('materiality'));
  }
  return spec;
}

/**
 * `EUR:0.01,JPY:1,*:0.05`: the listed currencies' materiality, and that of
 * every other currency (`*`). Blanks around items are allowed (in a quoted
 * value); positions are exact in a bare value.
 */
function parseCurrencyMateriality(w: Word, fail: (message: string, position: number) => SqlError): { byCurrency: Map<string, string>; otherwise?: string } {
  const byCurrency = new Map<string, string>();
  let otherwise: string | undefined;
  const start = w.valueAt + (w.quoted ? 1 : 0);
  let offset = 0;
  for (const raw of w.value.split(',')) {
    const itemAt = start + offset + (raw.length - raw.trimStart().length);
    offset += raw.length + 1;
    const item = raw.trim();
    const colon = item.indexOf(':');
    const currency = colon < 0 ? '' : item.slice(0, colon).trim();
    if (currency === '' || CONTROL.test(currency)) throw fail(`a materiality per currency is CURRENCY:DECIMAL items separated by commas, such as EUR:0.01,JPY:1,*:0.05, not ${JSON.stringify(item)}`, itemAt);
    const valueText = item.slice(colon + 1);
    const value = valueText.trim();
    const valueAt = itemAt + colon + 1 + (valueText.length - valueText.trimStart().length);
    if (!DECIMAL.test(value)) throw fail(`materiality of ${currency} must be a non-negative decimal number such as 0.01, not ${JSON.stringify(value)}`, valueAt);
    if (currency === '*' ? otherwise !== undefined : byCurrency.has(currency)) throw fail(`materiality of ${currency} is given twice`, itemAt);
    if (currency === '*') otherwise = value;
    else byCurrency.set(currency, value);
  }
  return { byCurrency, ...(otherwise !== undefined ? { otherwise } : {}) };
}

/** Split into words: `value`, `"quoted value"`, `key=value`, `key="quoted value"`. */
function scan(args: string, at: number, fail: (message: string, position: number) => SqlError): Word[] {
  const words: Word[] = [];
  let i = 0;
  while (i < args.length) {
    if (/\s/.test(args[i]!)) {
      i++;
      continue;
    }
    const start = i;
    let key: string | undefined;
    if (args[i] !== '"') {
      const bare = /^[^\s"=]*/.exec(args.slice(i))![0];
      if (bare === '') throw fail(`unexpected ${JSON.stringify(args[i])}`, at + i);
      i += bare.length;
      if (args[i] !== '=') {
        if (i < args.length && !/\s/.test(args[i]!)) throw fail(`unexpected ${JSON.stringify(args[i])} after ${bare}`, at + i);
        words.push({ value: bare, quoted: false, at: at + start, valueAt: at + start });
        continue;
      }
      key = bare;
      i++;
    }
    const valueStart = i;
    let value: string;
    let quoted = false;
    if (args[i] === '"') {
      let j = i + 1;
      while (j < args.length && args[j] !== '"') j += args[j] === '\\' ? 2 : 1;
      if (j >= args.length) throw fail('a quoted value is not closed', at + i);
      try {
        value = JSON.parse(args.slice(i, j + 1)) as string;
      } catch {
        throw fail(`${args.slice(i, j + 1)} is not a valid quoted value (JSON string escapes)`, at + i);
      }
      quoted = true;
      i = j + 1;
    } else {
      value = /^[^\s"]*/.exec(args.slice(i))![0];
      i += value.length;
    }
    if (i < args.length && !/\s/.test(args[i]!)) throw fail(`unexpected ${JSON.stringify(args[i])} after ${args.slice(start, i)}`, at + i);
    words.push({ key, value, quoted, at: at + start, valueAt: at + valueStart });
  }
  return words;
}
