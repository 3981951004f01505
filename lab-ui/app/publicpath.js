/**
 * First module of the bundle: lazy chunks, fonts and images load from
 * PageConfig's `fullStaticUrl`, so the app works under any base URL
 * (`/prefix/static/lab/`). It reads the config script itself because it must
 * run before anything, @jupyterlab/coreutils included, is evaluated.
 */
function getOption(name) {
  const el = typeof document !== 'undefined' ? document.getElementById('jupyter-config-data') : null;
  if (!el) return '';
  try {
    const value = JSON.parse(el.textContent || '{}')[name];
    return typeof value === 'string' ? value : '';
  } catch {
    return '';
  }
}

const staticUrl = getOption('fullStaticUrl');
if (staticUrl) {
  // eslint-disable-next-line no-undef
  __webpack_public_path__ = staticUrl.replace(/\/$/, '') + '/';
}
