/**
 * A run's data-quality checks (`%%expect` cells of the SQL kernel, as
 * the tasks' latest attempts ran them): a summary line (N passed · N
 * failed · N warnings · N errors), then a table, failures and checks that
 * could not run first: status (mark and word), name, task, severity,
 * offending rows, impact against materiality (one line per currency for a
 * check with `currency=`: each against its own materiality), and why a check could not
 * run (the column only when one could not). A failed check with sample
 * rows has a row under it that expands (`<details>`) to those rows, a
 * small table headed by the columns' names and engine types. Long names
 * and messages wrap; long sample values are cut, whole in their title.
 *
 * DOM hooks: `.wb-pipelines-checks[data-total][data-passed][data-failed][data-warnings][data-errors]`,
 * `.wb-pipelines-checks-summary` (`span.wb-pipelines-checks-count[data-outcome]` each),
 * `table.wb-pipelines-checks-table`, `tr.wb-pipelines-check[data-name][data-task-id][data-status][data-severity][data-outcome]`
 * (`data-status` as the server says: passed, failed, error; `data-outcome`: passed, failed, warning, error)
 * with `.wb-pipelines-check-status[data-outcome]` (`.wb-pipelines-check-mark`), `.wb-pipelines-check-name`,
 * `.wb-pipelines-check-task`, `.wb-pipelines-check-severity`, `.wb-pipelines-check-violations`,
 * `.wb-pipelines-check-impact`, `.wb-pipelines-check-op`, `.wb-pipelines-check-materiality`, `.wb-pipelines-check-message`;
 * per currency `ul.wb-pipelines-check-impacts` > `li.wb-pipelines-check-currency[data-currency][data-exceeded]`
 * (`.wb-pipelines-check-currency-code`, `.wb-pipelines-check-currency-impact`, `.wb-pipelines-check-op`, `.wb-pipelines-check-currency-materiality`);
 * `tr.wb-pipelines-check-sample-row[data-name][data-task-id]` > `details.wb-pipelines-check-sample[data-name][data-task-id]`
 * (`summary`, `table.wb-pipelines-sample` with `th[data-column][data-type]`, `.wb-pipelines-sample-type`,
 * `tr.wb-pipelines-sample-row`, `td.wb-pipelines-sample-cell[data-null]`).
 */
import { h } from '@workbench/lab-common';
import {
  checkOutcome,
  countChecks,
  currencyImpactLines,
  currencyImpactTitle,
  impactComparison,
  OUTCOME_LABELS,
  orderChecks,
  sampleCaption,
  sampleValueText,
  summaryParts,
  type CheckOutcome,
} from './check-outcome';
import type { TaskCheck } from './types';

/** The key of a check's sample in `checksView`'s `open` set. */
export const sampleKey = (taskId: string, name: string) => JSON.stringify([taskId, name]);
const key = sampleKey;

/** The samples expanded under `root` (a former checksView), to keep them open when it is drawn again. */
export function openSamples(root: Element): Set<string> {
  return new Set([...root.querySelectorAll<HTMLElement>('details.wb-pipelines-check-sample[open]')].map((d) => key(d.dataset.taskId ?? '', d.dataset.name ?? '')));
}

function statusBadge(outcome: CheckOutcome): HTMLElement {
  const { mark, word, title } = OUTCOME_LABELS[outcome];
  return h('span', { className: 'wb-badge wb-pipelines-check-status', title, attrs: { 'data-outcome': outcome } }, [h('span', { className: 'wb-pipelines-check-mark', attrs: { 'aria-hidden': 'true' } }, [mark]), ` ${word}`]);
}

function impactCell(c: TaskCheck): HTMLElement {
  const td = h('td', { className: 'wb-pipelines-check-impact-cell' });
  const perCurrency = currencyImpactLines(c);
  if (perCurrency.length > 0) {
    td.title = currencyImpactTitle(perCurrency);
    td.append(
      h(
        'ul',
        { className: 'wb-pipelines-check-impacts', attrs: { 'aria-label': `Impact of ${c.name} per currency` } },
        perCurrency.map((l) =>
          h('li', { className: 'wb-pipelines-check-currency', attrs: { 'data-currency': l.currency, 'data-exceeded': String(l.exceeded) } }, [
            h('span', { className: 'wb-pipelines-check-currency-code' }, [l.currency]),
            ' ',
            h('code', { className: 'wb-pipelines-check-currency-impact' }, [l.impact]),
            h('span', { className: 'wb-pipelines-check-op', attrs: { 'aria-hidden': 'true' } }, [` ${l.op} `]),
            h('span', { className: 'wb-sr-only' }, [` ${l.words} `]),
            h('code', { className: 'wb-pipelines-check-currency-materiality' }, [l.materiality]),
          ]),
        ),
      ),
    );
    return td;
  }
  if (c.impact === null) {
    td.append(h('span', { className: 'wb-pipelines-muted', title: 'No amount column: the check counts rows only' }, ['—']));
    return td;
  }
  const op = impactComparison(c);
  td.append(h('code', { className: 'wb-pipelines-check-impact' }, [c.impact]));
  if (op !== null && c.materiality !== null) {
    const words = op === '>' ? 'exceeds materiality' : 'within materiality';
    td.title = `Impact ${c.impact} ${words} ${c.materiality}`;
    td.append(
      h('span', { className: 'wb-pipelines-check-op', attrs: { 'aria-hidden': 'true' } }, [` ${op} `]),
      h('span', { className: 'wb-sr-only' }, [` ${words} `]),
      h('code', { className: 'wb-pipelines-check-materiality' }, [c.materiality]),
    );
  } else {
    td.title = `Impact ${c.impact}`;
  }
  return td;
}

function sampleTable(c: TaskCheck): HTMLElement {
  const head = h(
    'tr',
    {},
    c.sample.columns.map((col) =>
      h('th', { attrs: { scope: 'col', 'data-column': col.name, 'data-type': col.type }, title: `${col.name} (${col.type})` }, [h('span', { className: 'wb-pipelines-sample-name' }, [col.name]), h('span', { className: 'wb-pipelines-sample-type' }, [col.type])]),
    ),
  );
  const rows = c.sample.rows.map((row) =>
    h(
      'tr',
      { className: 'wb-pipelines-sample-row' },
      c.sample.columns.map((col, i) => {
        const v = row[i];
        const text = sampleValueText(v, col.type);
        const isNull = v === null || v === undefined;
        return h('td', { className: 'wb-pipelines-sample-cell', title: text, attrs: { 'data-null': String(isNull) } }, [text]);
      }),
    ),
  );
  return h('div', { className: 'wb-pipelines-table-wrap wb-pipelines-sample-wrap' }, [
    h('table', { className: 'wb-pipelines-sample', attrs: { 'aria-label': `Offending rows of ${c.name}` } }, [h('thead', {}, [head]), h('tbody', {}, rows)]),
  ]);
}

/** The checks section's content; `open`: samples to show expanded (from openSamples). */
export function checksView(checks: readonly TaskCheck[], open: ReadonlySet<string> = new Set()): HTMLElement {
  const counts = countChecks(checks);
  const withMessage = checks.some((c) => c.message !== null);
  const columns = ['Status', 'Check', 'Task', 'Severity', 'Offending rows', 'Impact / materiality', ...(withMessage ? ['Message'] : [])];
  const head = h('tr', {}, columns.map((t) => h('th', { attrs: { scope: 'col' } }, [t])));
  const groups = orderChecks(checks).map((c) => {
    const outcome = checkOutcome(c);
    const hasSample = c.status === 'failed' && c.sample.rows.length > 0;
    const row = h('tr', { className: `wb-pipelines-check${hasSample ? ' wb-mod-has-sample' : ''}`, attrs: { 'data-name': c.name, 'data-task-id': c.taskId, 'data-status': c.status, 'data-severity': c.severity, 'data-outcome': outcome } }, [
      h('td', {}, [statusBadge(outcome)]),
      h('th', { className: 'wb-pipelines-check-name', attrs: { scope: 'row' }, title: c.sqlSha256 ? `${c.name}\nSQL SHA-256 ${c.sqlSha256}` : c.name }, [c.name]),
      h('td', { className: 'wb-pipelines-check-task', title: `${c.taskId}, attempt ${c.attempt}` }, [c.taskId]),
      h('td', { className: 'wb-pipelines-check-severity' }, [c.severity]),
      h('td', { className: 'wb-pipelines-check-violations' }, [c.status === 'error' ? h('span', { className: 'wb-pipelines-muted', title: 'The check could not run' }, ['—']) : String(c.violations)]),
      impactCell(c),
      withMessage ? h('td', { className: 'wb-pipelines-check-message' }, [c.message ?? h('span', { className: 'wb-pipelines-muted' }, ['—'])]) : null,
    ]);
    if (!hasSample) return h('tbody', { className: 'wb-pipelines-check-group' }, [row]);
    const details = h('details', { className: 'wb-pipelines-check-sample', attrs: { 'data-name': c.name, 'data-task-id': c.taskId } }, [
      h('summary', { attrs: { 'data-focus-key': `sample:${key(c.taskId, c.name)}` } }, [sampleCaption(c)]),
      sampleTable(c),
    ]);
    details.open = open.has(key(c.taskId, c.name));
    const sampleRow = h('tr', { className: 'wb-pipelines-check-sample-row', attrs: { 'data-name': c.name, 'data-task-id': c.taskId } }, [h('td', { attrs: { colspan: String(columns.length) } }, [details])]);
    return h('tbody', { className: 'wb-pipelines-check-group' }, [row, sampleRow]);
  });
  return h(
    'div',
    {
      className: 'wb-pipelines-checks',
      attrs: { 'data-total': String(checks.length), 'data-passed': String(counts.passed), 'data-failed': String(counts.failed), 'data-warnings': String(counts.warning), 'data-errors': String(counts.error) },
    },
    [
      h(
        'p',
        { className: 'wb-pipelines-checks-summary' },
        summaryParts(counts).flatMap((p, i) => [i > 0 ? ' · ' : null, h('span', { className: 'wb-pipelines-checks-count', attrs: { 'data-outcome': p.outcome, 'data-count': String(counts[p.outcome]) } }, [p.text])]),
      ),
      h('div', { className: 'wb-pipelines-table-wrap' }, [h('table', { className: 'wb-pipelines-table wb-pipelines-checks-table', attrs: { 'aria-label': 'Data-quality checks of this run' } }, [h('thead', {}, [head]), ...groups])]),
    ],
  );
}
