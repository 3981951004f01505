/**
 * The Node side of the JupyterLab application: where the webpack build put
 * its files and how the page that boots it is rendered. The gateway serves
 * `staticDir` at `{base}static/lab/`, `themesDir` at `{base}lab/api/themes/`
 * and reads setting schemas from `schemasDir`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface LabManifest {
  /** JupyterLab version the application reports as appVersion. */
  version: string;
  appName: string;
  /** Entry scripts, relative to staticDir, in load order. */
  entry: string[];
  /** Stylesheets, relative to staticDir, loaded before the entry scripts. */
  css: string[];
  /** Extension and mime-extension packages bundled in, for the README and /lab/api/extensions-like listings. */
  extensions: string[];
  mimeExtensions: string[];
  /** Total bytes of staticDir (for BENCHMARKS.md). */
  bundleBytes: number;
  /**
   * Favicons, relative to staticDir. JupyterLab's faviconbusy plugin swaps
   * the `idle favicon` and `busy favicon` links while kernels run.
   */
  favicons?: { idle: string; busy: string };
}

export interface LabAssets extends LabManifest {
  buildDir: string;
  staticDir: string;
  /** schemas/<package name>/<plugin name>.json, the plugin id being "<package name>:<plugin name>". */
  schemasDir: string;
  /** themes/<package name>/index.css (+ assets) for the light and dark themes. */
  themesDir: string;
}

/** Default build output: lab-ui/build beside this package. */
export const defaultBuildDir = resolve(__dirname, '..', 'build');

/** The built application, or undefined when lab-ui has not been built. */
export function loadLabAssets(buildDir: string = defaultBuildDir): LabAssets | undefined {
  const manifestPath = join(buildDir, 'manifest.json');
  if (!existsSync(manifestPath)) return undefined;
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as LabManifest;
  return {
    ...manifest,
    buildDir,
    staticDir: join(buildDir, 'static'),
    schemasDir: join(buildDir, 'schemas'),
    themesDir: join(buildDir, 'themes'),
  };
}

const escapeAttr = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
/** JSON inside <script> must not be able to close the element. */
const scriptJson = (v: unknown) => JSON.stringify(v).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');

export interface RenderPageOptions {
  assets: LabAssets;
  /** PageConfig, embedded as <script id="jupyter-config-data">. Must include fullStaticUrl. */
  pageConfig: Record<string, unknown> & { fullStaticUrl: string };
  title?: string;
}

/** The HTML page for /lab and /lab/tree/...: PageConfig plus the bundle. */
export function renderLabPage({ assets, pageConfig, title = 'Workbench' }: RenderPageOptions): string {
  const url = (f: string) => `${pageConfig.fullStaticUrl.replace(/\/$/, '')}/${f}`;
  const css = assets.css.map((f) => `<link rel="stylesheet" href="${escapeAttr(url(f))}">`).join('\n');
  const js = assets.entry.map((f) => `<script defer src="${escapeAttr(url(f))}"></script>`).join('\n');
  const icons = assets.favicons
    ? `<link rel="icon" type="image/svg+xml" href="${escapeAttr(url(assets.favicons.idle))}" class="idle favicon">\n` +
      `<link rel="" type="image/svg+xml" href="${escapeAttr(url(assets.favicons.busy))}" class="busy favicon">\n`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>${escapeAttr(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
${icons}<script id="jupyter-config-data" type="application/json">${scriptJson(pageConfig)}</script>
${css}
${js}
</head><body></body></html>
`;
}
