/**
 * How long generateOdooDemo takes, printed. The suite runs a small size;
 * for the 1,000,000-line figure run it by hand:
 *
 *   ODOO_DEMO_LINES=1000000 npx jest connectors/odoo/src/demo/demo-timing
 */
import { createTestDatabase } from '../testing/test-database';
import { generateOdooDemo } from './generate';

const LINES = Number(process.env.ODOO_DEMO_LINES ?? 50_000);

it(`generates about ${LINES} journal items and reports the time`, async () => {
  await using database = await createTestDatabase();
  const started = performance.now();
  const summary = await generateOdooDemo({ connection: database.config, lines: LINES, seed: 1, year: 2025 });
  const seconds = (performance.now() - started) / 1000;
  const lines = summary.counts.account_move_line!;
  console.log(`generateOdooDemo: ${lines} journal items (${summary.counts.account_move} moves, ${summary.counts.account_partial_reconcile} partial reconciles) in ${seconds.toFixed(1)} s, ${Math.round(lines / seconds)} lines/s`);
  expect(Math.abs(lines - LINES) / LINES).toBeLessThan(0.1);
}, 600_000);
