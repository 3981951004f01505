/**
 * What the History section says about a change, and the trust boundary for
 * the versions and comparison answers (the screen itself: lab-ui's
 * templates-screen test in Chromium).
 */
import { manifestChangeText } from './template-changes';
import { readTemplateDiff, readVersions } from './validate';

const p = (over: object = {}) => ({ name: 'threshold', type: 'integer' as const, label: 'Threshold', description: '', required: true, default: 1000, ...over });

describe('a manifest change in words', () => {
  it('names a field with its old and new value', () => {
    expect(manifestChangeText({ field: 'title', old: 'Recon', new: 'Bank recon' })).toBe('Title: “Recon” → “Bank recon”');
    expect(manifestChangeText({ field: 'open', old: null, new: 'a.ipynb' })).toBe('Opened after install: (none) → “a.ipynb”');
    expect(manifestChangeText({ field: 'description', old: 'x', new: '' })).toBe('Description: “x” → (none)');
  });

  it('says which parameter was added or removed, and what changed in one', () => {
    expect(manifestChangeText({ field: 'parameters.month', old: null, new: p({ name: 'month' }) })).toBe('Parameter month added');
    expect(manifestChangeText({ field: 'parameters.month', old: p({ name: 'month' }), new: null })).toBe('Parameter month removed');
    expect(manifestChangeText({ field: 'parameters.threshold', old: p(), new: p({ default: 5000, label: 'Limit' }) })).toBe('Parameter threshold: label “Threshold” → “Limit”, default 1000 → 5000');
  });
});

describe('the history answers, checked', () => {
  it('reads versions, newest first as sent', () => {
    expect(readVersions([{ version: 2, title: 'B', files: ['a.sql'], saved_by: 'anna', saved_at: 5, current: true, restored_from: 1, extra: 'ignored' }, { version: 1, title: 'A', files: [], saved_by: 'anna', saved_at: 1, current: false }])).toEqual([
      { version: 2, title: 'B', files: ['a.sql'], saved_by: 'anna', saved_at: 5, current: true, restored_from: 1 },
      { version: 1, title: 'A', files: [], saved_by: 'anna', saved_at: 1, current: false },
    ]);
  });

  it('refuses a malformed versions answer, naming the field', () => {
    expect(() => readVersions({})).toThrow(/the answer/);
    expect(() => readVersions([{ version: '2', title: 'B', files: [], saved_by: 'a', saved_at: 1, current: true }])).toThrow(/\[0\]\.version/);
    expect(() => readVersions([{ version: 2, title: 'B', files: [], saved_by: 'a', saved_at: 1, current: 'yes' }])).toThrow(/\[0\]\.current/);
  });

  it('reads a comparison: manifest changes, and file diffs as the version history checks them', () => {
    const d = readTemplateDiff({
      template: 'recon',
      from: 1,
      to: 2,
      manifest: [{ field: 'title', old: 'A', new: 'B' }, { field: 'parameters.threshold', old: null, new: p() }],
      files: [
        { path: 'a.sql', status: 'modified', type: 'file', diff: [{ op: 'insert', oldLine: null, newLine: 1, text: 'SELECT 2' }] },
        { path: 'b.sql', status: 'unchanged' },
      ],
    });
    expect(d.manifest[1]).toEqual({ field: 'parameters.threshold', old: null, new: p() });
    expect(d.files).toEqual([
      { path: 'a.sql', status: 'modified', diff: { path: 'a.sql', from: '1', to: '2', type: 'file', diff: [{ op: 'insert', oldLine: null, newLine: 1, text: 'SELECT 2' }] } },
      { path: 'b.sql', status: 'unchanged' },
    ]);
  });

  it('refuses a malformed comparison', () => {
    const ok = { template: 't', from: 1, to: 2, manifest: [], files: [] };
    expect(() => readTemplateDiff({ ...ok, from: 'one' })).toThrow(/from/);
    expect(() => readTemplateDiff({ ...ok, files: [{ path: 'a', status: 'changed' }] })).toThrow(/files\[0\]\.status/);
    expect(() => readTemplateDiff({ ...ok, files: [{ path: 'a', status: 'added', type: 'pdf', diff: [] }] })).toThrow(/type/);
    expect(() => readTemplateDiff({ ...ok, manifest: [{ field: 3 }] })).toThrow(/manifest\[0\]\.field/);
  });
});
