import { parsePluginId } from './settings-store';
import { recursiveUpdate } from './frontend-config';
import { userDirName } from './user-files';
import { workspaceSlug } from './workspace-store';

describe('per-user state helpers', () => {
  it('merges config like jupyter_server recursive_update: objects merge, null deletes, emptied objects go', () => {
    const target: Record<string, unknown> = { a: { b: 1, c: { d: 2 } }, e: 3, list: [1] };
    recursiveUpdate(target, { a: { b: null, c: { d: null } }, e: null, f: { g: 1 }, list: [2, 3] });
    expect(target).toEqual({ f: { g: 1 }, list: [2, 3] });
    recursiveUpdate(target, { f: 'scalar replaces an object' });
    expect(target).toEqual({ f: 'scalar replaces an object', list: [2, 3] });
  });

  it('names workspace files as jupyterlab_server does, so its files can be copied over', () => {
    // jupyterlab_server test_data/workspaces: foo-2c26.jupyterlab-workspace (id "foo"), foo-92dd (id "f/o/o").
    expect(workspaceSlug('foo')).toBe('foo-2c26');
    expect(workspaceSlug('f/o/o')).toBe('foo-92dd');
    expect(workspaceSlug('My Work Space')).toMatch(/^my-work-space-[0-9a-f]{4}$/);
    expect(workspaceSlug('../../etc/passwd')).not.toMatch(/[./]/);
  });

  it('accepts only plugin ids that name a schema file', () => {
    expect(parsePluginId('@jupyterlab/apputils-extension:themes')).toEqual({ pkg: '@jupyterlab/apputils-extension', plugin: 'themes' });
    expect(parsePluginId('plain-package:plugin')).toEqual({ pkg: 'plain-package', plugin: 'plugin' });
    for (const bad of ['../../etc:passwd', '@a/../b:c', 'a:b:c', 'nocolon', '@scope/pkg:../x', '@scope/pkg:.hidden', '/abs:x', '@s/a/b:c']) {
      expect(() => parsePluginId(bad)).toThrow(/not a plugin id/);
    }
  });

  it('keeps user directory names plain or hex-encodes them', () => {
    expect(userDirName('workbench')).toBe('workbench');
    expect(userDirName('a.b@example.org')).toBe('a.b@example.org');
    expect(userDirName('..')).toMatch(/^u-[0-9a-f]+$/);
    expect(userDirName('a/b')).toMatch(/^u-[0-9a-f]+$/);
  });
});
