import { restoreConfirmation } from './restore-text';

const version = { short: 'abc1234', author: { name: 'Ada', email: 'ada@x' }, message: 'Checkpoint a.ipynb' };

describe('restoreConfirmation', () => {
  it('names the file, the version and says nothing is lost', () => {
    expect(restoreConfirmation('a.ipynb', version, { when: '3 hours ago', dirty: false })).toEqual([
      'Restore a.ipynb to version abc1234 (3 hours ago, Ada: "Checkpoint a.ipynb")?',
      'The restored content is saved as a new version; no version is lost.',
    ]);
  });

  it('warns that unsaved changes will be discarded', () => {
    const lines = restoreConfirmation('a.ipynb', { ...version, author: { name: '', email: 'ada@x' }, message: '' }, { when: 'yesterday', dirty: true });
    expect(lines[0]).toBe('Restore a.ipynb to version abc1234 (yesterday, ada@x: "no message")?');
    expect(lines[2]).toBe('Unsaved changes in the open editor will be discarded.');
  });
});
