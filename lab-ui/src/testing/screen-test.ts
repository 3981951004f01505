/**
 * What the Chromium tests of Workbench's JupyterLab screens share: the
 * console problems and failed requests of their pages, screenshots in the
 * light and the dark theme (to test-artifacts/lab/), and the check that
 * nothing scrolls sideways.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';

/** Where screenshots, problem lists and server logs go. */
export const ARTIFACTS = resolve(__dirname, '..', '..', '..', 'test-artifacts', 'lab');
mkdirSync(ARTIFACTS, { recursive: true });

export const DARK = 'JupyterLab Dark';
export const LIGHT = 'JupyterLab Light';

/** Console errors and warnings, and HTTP answers >= 400, of the pages watched. */
export class ProblemLog {
  /** Each as `[who ]console <type>: <text> (<url>)` or `[who ]HTTP <status> <method> <url>`. */
  readonly problems: string[] = [];
  /** The ones a step causes on purpose (each matched once at most). */
  readonly expected: RegExp[] = [];
  /** Noise that is not the screen's (any number of times). */
  readonly benign: RegExp[];

  constructor(benign: RegExp[] = []) {
    this.benign = [...benign];
  }

  /** Records `page`'s problems, each prefixed with `who` when given. */
  watch(page: Page, who?: string): void {
    const prefix = who === undefined ? '' : `${who} `;
    page.on('console', (m) => ['error', 'warning'].includes(m.type()) && this.problems.push(`${prefix}console ${m.type()}: ${m.text()} (${m.location().url})`));
    page.on('response', (r) => r.status() >= 400 && this.problems.push(`${prefix}HTTP ${r.status()} ${r.request().method()} ${r.url()}`));
  }

  /** The problems neither benign nor expected; each expected one matched is taken off `expected`. */
  unexpected(): string[] {
    return this.problems.filter((p) => {
      if (this.benign.some((re) => re.test(p))) return false;
      const i = this.expected.findIndex((re) => re.test(p));
      if (i < 0) return true;
      this.expected.splice(i, 1);
      return false;
    });
  }

  /** Writes every problem, one a line, to ARTIFACTS/`file`. */
  write(file: string): void {
    writeFileSync(join(ARTIFACTS, file), this.problems.join('\n'));
  }
}

/** Switches JupyterLab's theme and waits until it is applied. */
export async function setTheme(page: Page, theme: string): Promise<void> {
  await page.evaluate(async (t) => {
    const app = (window as unknown as { jupyterapp: { commands: { execute(id: string, args: object): Promise<unknown> } } }).jupyterapp;
    await app.commands.execute('apputils:change-theme', { theme: t });
  }, theme);
  // The theme is applied, and the splash screen shown while it loaded is gone.
  await page.waitForFunction((t) => document.body.dataset.jpThemeName === t && document.getElementById('jupyterlab-splash') === null, theme);
}

export interface Screenshots {
  /** ARTIFACTS/`<prefix>-<name>.png` of what the page shows now. */
  shot(page: Page, name: string): Promise<Buffer>;
  /** Light and dark screenshots (`<name>`, `<name>-dark`) of what the page shows now; ends in the light theme. */
  shotBoth(page: Page, name: string): Promise<void>;
}

/** Screenshots named `<prefix>-<name>.png`. */
export function screenshots(prefix: string): Screenshots {
  const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `${prefix}-${name}.png`) });
  return {
    shot,
    async shotBoth(page, name) {
      await shot(page, name);
      await setTheme(page, DARK);
      await shot(page, `${name}-dark`);
      await setTheme(page, LIGHT);
    },
  };
}

/**
 * How far the page and each element named in `boxes` (a CSS selector each)
 * scroll sideways: `{ page: 0, <name>: 0, ... }` when nothing is wider than
 * the window or its box.
 */
export function horizontalOverflow<K extends string>(page: Page, boxes: Record<K, string>): Promise<Record<'page' | K, number>> {
  return page.evaluate((selectors) => {
    const widths: Record<string, number> = { page: document.documentElement.scrollWidth - window.innerWidth };
    for (const [name, selector] of Object.entries(selectors)) {
      const el = document.querySelector<HTMLElement>(selector)!;
      widths[name] = el.scrollWidth - el.clientWidth;
    }
    return widths;
  }, boxes as Record<string, string>) as Promise<Record<'page' | K, number>>;
}
