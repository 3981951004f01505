/**
 * webpack configurations for Workbench's JupyterLab, driven by
 * scripts/build.js through webpack's Node API (webpack-cli needs Node 22).
 *
 * Returns one configuration for the application (build/static) and one per
 * theme package (build/themes/<package>/index.css), which JupyterLab's
 * ThemeManager loads at run time from PageConfig `themesUrl`.
 *
 * The rules reimplement what @jupyterlab/builder sets up: SVG imported from
 * JavaScript is its text (LabIcon parses it), SVG referenced from CSS is a
 * data URI, fonts and images are hashed files, .md/.txt/.raw.css are strings.
 *
 * nbdime, which @jupyter/docprovider-extension imports for its save-conflict
 * diff view only, is moved to a lazy chunk (app/conflict-diff-widget.js).
 *
 * Initial JavaScript is split in three (@jupyterlab/*, other node_modules, the
 * rest) so a change to Workbench's own extensions leaves the two large files
 * cached; CSS stays in one file in import order, which the cascade relies on.
 */
'use strict';
const { dirname, join } = require('node:path');
const webpack = require('webpack');
const MiniCssExtractPlugin = require('mini-css-extract-plugin');
const { labUiDir } = require('./scripts/packages');

/** SVG as a URL-encoded data URI: smaller than base64 for text. */
const svgDataUri = (content) =>
  'data:image/svg+xml,' +
  encodeURIComponent(content.toString().replace(/\s+/g, ' ').trim()).replace(/%20/g, ' ').replace(/%3D/g, '=').replace(/%3A/g, ':').replace(/%2F/g, '/');

const cssRule = () => ({
  // *.raw.css is imported as text (the themes plugin injects scrollbar styles itself).
  test: /(?<!\.raw)\.css$/,
  use: [MiniCssExtractPlugin.loader, require.resolve('css-loader')],
});

const assetRules = (assetName) => [
  // LabIcon needs the SVG markup itself.
  { test: /\.svg$/, issuer: /\.[cm]?[jt]sx?$/, type: 'asset/source' },
  // Small SVGs in CSS become data URIs; large ones (Font Awesome's SVG fonts) stay files.
  {
    test: /\.svg$/,
    issuer: /\.css$/,
    type: 'asset',
    parser: { dataUrlCondition: { maxSize: 16 * 1024 } },
    generator: { dataUrl: svgDataUri, filename: assetName },
  },
  { test: /\.(woff2?|ttf|eot|otf)$/i, type: 'asset/resource', generator: { filename: assetName } },
  { test: /\.(png|jpe?g|gif|ico|cur|webp|bmp)$/i, type: 'asset/resource', generator: { filename: assetName } },
  { test: /\.(md|txt)$|\.raw\.css$/, type: 'asset/source' },
];

/** A named chunk for the initial JavaScript modules whose path matches `re`; CSS is left in the entry. */
const initialJs = (name, re, priority) => ({
  name,
  chunks: 'initial',
  priority,
  enforce: true,
  test: (module) => typeof module.resource === 'string' && re.test(module.resource) && String(module.type).startsWith('javascript'),
});

/**
 * @param {{ mode?: 'production' | 'development', outDir: string, skipWorkspace?: boolean,
 *           themes?: { name: string, themePath: string }[], cacheDir?: string }} options
 * @returns {import('webpack').Configuration[]}
 */
module.exports = function createConfigs({ mode = 'production', outDir, skipWorkspace = false, themes = [], cacheDir }) {
  const production = mode === 'production';
  const hashed = '[name].[contenthash:16]';
  // Persistent cache (optional): one named cache per configuration.
  const cache = (name) =>
    cacheDir
      ? {
          type: 'filesystem',
          cacheDirectory: cacheDir,
          name: `${mode}-${name}`,
          buildDependencies: { config: [__filename, join(__dirname, 'scripts', 'packages.js'), join(__dirname, 'scripts', 'plugin-modules-loader.js')] },
        }
      : false;

  /** @type {import('webpack').Configuration} */
  const app = {
    name: 'app',
    mode,
    context: labUiDir,
    target: 'web',
    devtool: production ? false : 'source-map',
    // publicpath.js runs first: every later chunk and asset URL depends on it.
    entry: { main: ['./app/publicpath.js', './app/index.js'] },
    output: {
      path: join(outDir, 'static'),
      filename: `${hashed}.js`,
      chunkFilename: `${hashed}.js`,
      assetModuleFilename: `${hashed}[ext]`,
      // Overridden at run time by app/publicpath.js; 'auto' makes extracted CSS use relative URLs.
      publicPath: 'auto',
      hashFunction: 'xxhash64',
      clean: true,
    },
    resolve: {
      // One Yjs for require() and import alike: two copies break shared models ("Not same Y.Doc").
      alias: { yjs$: join(dirname(require.resolve('yjs')), 'yjs.mjs') },
      fallback: {
        path: require.resolve('path-browserify'),
        process: require.resolve('process/browser'),
        url: false,
        buffer: false,
        crypto: false,
        fs: false,
      },
    },
    module: {
      rules: [
        {
          resourceQuery: /modules/,
          include: join(labUiDir, 'app', 'plugins.js'),
          use: [{ loader: join(__dirname, 'scripts', 'plugin-modules-loader.js'), options: { skipWorkspace } }],
        },
        // Some packages ship ESM with extension-less relative imports.
        { test: /\.m?js$/, resolve: { fullySpecified: false } },
        cssRule(),
        ...assetRules(`${hashed}[ext]`),
      ],
    },
    plugins: [
      new webpack.ProvidePlugin({ process: 'process/browser' }),
      // nbdime only for the save-conflict diff view, in a lazy chunk (app/conflict-diff-widget.js).
      new webpack.NormalModuleReplacementPlugin(/^\.\/conflictDiffWidget$/, (resource) => {
        if (/[\\/]@jupyter[\\/]docprovider-extension[\\/]lib$/.test(resource.context)) {
          resource.request = join(labUiDir, 'app', 'conflict-diff-widget.js');
        }
      }),
      new MiniCssExtractPlugin({ filename: `${hashed}.css`, chunkFilename: `${hashed}.css`, ignoreOrder: true }),
    ],
    optimization: {
      // webpack's default minimizer: terser for JavaScript. CSS stays as
      // written: webpack's CSS minimizer (experiments.css) merges and reorders
      // rules, 15 KB gzipped saved for a cascade change nothing here can check.
      minimize: production,
      moduleIds: 'deterministic',
      chunkIds: 'deterministic',
      splitChunks: {
        cacheGroups: {
          jupyterlab: initialJs('jupyterlab', /[\\/]node_modules[\\/]@jupyterlab[\\/]/, 20),
          vendor: initialJs('vendor', /[\\/]node_modules[\\/]/, 10),
        },
      },
    },
    performance: { hints: false },
    cache: cache('app'),
    stats: 'errors-warnings',
    infrastructureLogging: { level: 'error' },
  };

  const themeConfigs = themes.map(({ name, themePath }) => ({
    name: `theme ${name}`,
    mode,
    context: labUiDir,
    devtool: false,
    entry: { index: themePath },
    output: {
      path: join(outDir, 'themes', ...name.split('/')),
      // Only the extracted CSS is used; build.js deletes this stub.
      filename: '[name].js',
      assetModuleFilename: '[name].[contenthash:8][ext]',
      publicPath: 'auto',
      hashFunction: 'xxhash64',
      clean: true,
    },
    module: { rules: [cssRule(), ...assetRules('[name].[contenthash:8][ext]')] },
    plugins: [new MiniCssExtractPlugin({ filename: '[name].css' })],
    optimization: { minimize: production },
    performance: { hints: false },
    cache: cache(`theme-${name.replace(/[^a-z0-9-]/gi, '_')}`),
    stats: 'errors-warnings',
    infrastructureLogging: { level: 'error' },
  }));

  return [app, ...themeConfigs];
};
