/**
 * A tiny JupyterLab build in the layout lab-ui produces (manifest.json,
 * static/, schemas/, themes/): enough for the server's pages, static
 * files, settings and themes to be tested without building the real UI.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const FIXTURE_HASHED = 'vendor.0123456789abcdef.js';
export const THEMES_PLUGIN = '@jupyterlab/apputils-extension:themes';

/** A script large enough to be worth compressing. */
export const MAIN_JS = `/* fixture bundle */\n${Array.from({ length: 200 }, (_, i) => `window.fixture${i} = ${i};`).join('\n')}\n`;

export async function makeLabBuild(dir: string): Promise<string> {
  await mkdir(join(dir, 'static'), { recursive: true });
  await writeFile(join(dir, 'manifest.json'), JSON.stringify({ version: '4.6.4', appName: 'JupyterLab', entry: ['main.js', FIXTURE_HASHED], css: [], extensions: [], mimeExtensions: [], bundleBytes: MAIN_JS.length }));
  await writeFile(join(dir, 'static', 'main.js'), MAIN_JS);
  await writeFile(join(dir, 'static', FIXTURE_HASHED), 'window.vendor = 1;\n');
  const schemas = join(dir, 'schemas', '@jupyterlab', 'apputils-extension');
  await mkdir(schemas, { recursive: true });
  await writeFile(
    join(schemas, 'themes.json'),
    JSON.stringify({
      title: 'Theme',
      description: 'Theme manager settings.',
      type: 'object',
      'jupyter.lab.setting-icon': 'ui-components:settings',
      properties: {
        theme: { type: 'string', title: 'Selected Theme', default: 'JupyterLab Light' },
        'theme-scrollbars': { type: 'boolean', title: 'Scrollbar Theming', default: false },
      },
    }),
  );
  await writeFile(join(schemas, 'package.json.orig'), JSON.stringify({ name: '@jupyterlab/apputils-extension', version: '4.6.4' }));
  const theme = join(dir, 'themes', '@jupyterlab', 'theme-dark-extension');
  await mkdir(theme, { recursive: true });
  await writeFile(join(theme, 'index.css'), ':root { --jp-layout-color0: #111; }\n');
  return dir;
}
