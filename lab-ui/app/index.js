/**
 * Browser entry of Workbench's JupyterLab: registers every bundled plugin and
 * mime extension (listed, with reasons, in ./plugins.js) and starts the app,
 * as JupyterLab's own dev_mode/index.js does minus federated extensions.
 *
 * PageConfig (the `jupyter-config-data` script) options read here:
 *  - disabledExtensions / deferredExtensions: plugin ids or regex patterns
 *    (read through PageConfig.Extension); a package name disables all of its
 *    plugins;
 *  - exposeAppInBrowser / devMode: "true" sets `window.jupyterapp`;
 *  - browserTest: "true" collects errors into `#browserTest` (as JupyterLab's
 *    browser check) until the app is restored.
 */
import { JupyterLab } from '@jupyterlab/application';
import { PageConfig } from '@jupyterlab/coreutils';
import { IConnectionStatus, IServiceManager } from '@jupyterlab/services';
import { PluginRegistry } from '@lumino/coreutils';

import { excludedPlugins, extensions, mimeExtensions } from './plugins.js?modules';

const isTrue = (name) => String(PageConfig.getOption(name) || '').toLowerCase() === 'true';

/** Collects uncaught errors and console.error calls for a browser check. */
function startBrowserTest() {
  const el = document.createElement('div');
  el.id = 'browserTest';
  el.style.display = 'none';
  el.textContent = '[]';
  document.body.appendChild(el);
  const errors = [];
  const record = (e) => {
    errors.push(String(e));
    el.textContent = JSON.stringify(errors);
  };
  window.addEventListener('error', (event) => record(event.error ?? event.message));
  window.addEventListener('unhandledrejection', (event) => record(event.reason));
  const consoleError = console.error.bind(console);
  console.error = (...args) => {
    record(args.map(String).join(' '));
    consoleError(...args);
  };
  return (extra = []) => {
    extra.forEach(record);
    el.className = 'completed';
  };
}

/**
 * Plugins that enabled packages replace (their `jupyterlab.disabledExtensions`,
 * e.g. @jupyter/docprovider-extension replaces the notebook cell executor), as
 * jupyterlab_server's page config does for prebuilt extensions: a package that
 * is itself disabled (by its name in `disabledExtensions`) disables nothing, so
 * turning collaboration off brings the stock plugins back.
 */
function replacedPlugins(packages) {
  const patterns = packages
    .filter(({ name }) => !PageConfig.Extension.isDisabled(name))
    .flatMap(({ disables }) => disables ?? [])
    .map((raw) => ({ raw, rule: new RegExp(raw) }));
  return { patterns, matches: (id) => patterns.some(({ raw, rule }) => raw === id || rule.test(id)) };
}

async function main() {
  const reportBrowserTest = isTrue('browserTest') ? startBrowserTest() : undefined;

  const replaced = replacedPlugins([...extensions, ...mimeExtensions]);
  const disabled = [];
  const deferred = [];
  const ignorePlugins = [];
  const availablePlugins = [];

  /** The plugins a package exports, minus disabled ones; notes deferred ones. */
  function* activePlugins({ name, module }) {
    // ES module default export, CommonJS `exports.default`, or plain module.exports.
    const exported = module.default ?? module;
    for (const plugin of Array.isArray(exported) ? exported : [exported]) {
      if (!plugin || typeof plugin.id !== 'string' || excludedPlugins.includes(plugin.id)) continue;
      const isDisabled = PageConfig.Extension.isDisabled(plugin.id) || replaced.matches(plugin.id);
      availablePlugins.push({
        id: plugin.id,
        description: plugin.description,
        requires: plugin.requires ?? [],
        optional: plugin.optional ?? [],
        provides: plugin.provides ?? null,
        autoStart: plugin.autoStart,
        enabled: !isDisabled,
        extension: name,
      });
      if (isDisabled) {
        disabled.push(plugin.id);
        continue;
      }
      if (PageConfig.Extension.isDeferred(plugin.id)) {
        deferred.push(plugin.id);
        ignorePlugins.push(plugin.id);
      }
      yield plugin;
    }
  }

  const mimePlugins = mimeExtensions.flatMap((ext) => [...activePlugins(ext)]);
  const plugins = extensions.flatMap((ext) => [...activePlugins(ext)]);

  const pluginRegistry = new PluginRegistry();
  pluginRegistry.registerPlugins(plugins);
  // A plugin may provide the service manager or connection status; otherwise
  // JupyterLab builds its defaults.
  const serviceManager = (await pluginRegistry.resolveOptionalService(IServiceManager)) ?? undefined;
  const connectionStatus = (await pluginRegistry.resolveOptionalService(IConnectionStatus)) ?? undefined;

  const patterns = (list) => list.map((p) => p.raw);
  const disabledPatterns = [...patterns(PageConfig.Extension.disabled), ...patterns(replaced.patterns)];
  const lab = new JupyterLab({
    pluginRegistry,
    serviceManager,
    connectionStatus,
    mimeExtensions: mimePlugins,
    disabled: { matches: disabled, patterns: disabledPatterns },
    deferred: { matches: deferred, patterns: patterns(PageConfig.Extension.deferred) },
    availablePlugins,
  });

  if (isTrue('exposeAppInBrowser') || isTrue('devMode')) {
    window.jupyterapp = lab;
  }

  const started = lab.start({ ignorePlugins, bubblingKeydown: true });

  if (reportBrowserTest) {
    started
      .then(() => lab.restored)
      .then(() => reportBrowserTest())
      .catch((reason) => reportBrowserTest([`RestoreError: ${reason?.message ?? reason}`]));
  }
  await started;
}

main().catch((error) => {
  console.error('Cannot start JupyterLab:', error);
});
