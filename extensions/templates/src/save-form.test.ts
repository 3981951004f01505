import { baseName, folderProblem, isFolderPath, nameClash, nameProblem, saveFormStart, slugFrom, stemOf, titleFrom } from './save-form';
import type { TemplateAbilities, TemplateInfo } from './types';

describe('the fields the dialog starts with', () => {
  it('takes name, title and folder from a notebook', () => {
    expect(saveFormStart(['close/Month_End Close.ipynb'])).toEqual({ name: 'month-end-close', title: 'Month End Close', folder: 'month-end-close', folderFollowsName: true });
  });

  it('takes the folder as it is from one folder', () => {
    expect(saveFormStart(['work/AP aging/'])).toEqual({ name: 'ap-aging', title: 'AP aging', folder: 'AP aging', folderFollowsName: false });
    expect(saveFormStart(['work/ap_aging'])).toMatchObject({ name: 'ap-aging', folder: 'ap_aging', folderFollowsName: false });
  });

  it('uses the first path when there are several', () => {
    expect(saveFormStart(['a/revenue.sql', 'a/revenue.pipeline.yaml'])).toMatchObject({ name: 'revenue', folder: 'revenue', folderFollowsName: true });
  });

  it('is empty without paths', () => {
    expect(saveFormStart([])).toEqual({ name: '', title: '', folder: '', folderFollowsName: true });
  });

  it('makes slugs: lowercase, accents off, runs of others as -, trimmed to 64', () => {
    expect(slugFrom('Clôture — Q1 (v2)')).toBe('cloture-q1-v2');
    expect(slugFrom('__x__')).toBe('x');
    expect(slugFrom('日本')).toBe('');
    const long = slugFrom(`${'a'.repeat(63)} b`);
    expect(long).toBe('a'.repeat(63));
    expect(slugFrom('a'.repeat(80))).toHaveLength(64);
  });

  it('finds base names, stems and folders', () => {
    expect(baseName('a/b/c.ipynb')).toBe('c.ipynb');
    expect(baseName('a/b/')).toBe('b');
    expect(stemOf('a/close.pipeline.yaml')).toBe('close');
    expect(stemOf('a/data.tar.gz')).toBe('data.tar');
    expect(stemOf('a/.hidden')).toBe('.hidden');
    expect(isFolderPath('a/b')).toBe(true);
    expect(isFolderPath('a/b.ipynb/')).toBe(true);
    expect(isFolderPath('a/b.ipynb')).toBe(false);
    expect(titleFrom('month_end-close')).toBe('Month end close');
  });
});

describe('nameClash', () => {
  const me: TemplateAbilities = { username: 'ana', install: true, save: true, curate: false, pipelines: true };
  const t = (over: Partial<TemplateInfo>): TemplateInfo => ({ name: 'x', source: 'user', title: 'X', description: '', folder: 'x', parameters: [], files: [], pipelines: [], ...over });
  const list = [
    t({ name: 'month-end-close', source: 'shipped' }),
    t({ name: 'mine', created_by: 'ana', updated_by: 'ana', version: 3 }),
    t({ name: 'bobs', created_by: 'bob', updated_by: 'carl', version: 2 }),
  ];

  it('is none for a new name', () => {
    expect(nameClash('new', list, me)).toEqual({ kind: 'none' });
  });

  it('refuses a shipped name, even to a curator', () => {
    expect(nameClash('month-end-close', list, { ...me, curate: true }).kind).toBe('shipped');
  });

  it('offers to replace your own, or anyone’s when you curate', () => {
    expect(nameClash('mine', list, me)).toMatchObject({ kind: 'replaceable', version: 3, savedBy: 'ana' });
    expect(nameClash('bobs', list, { ...me, curate: true })).toMatchObject({ kind: 'replaceable', version: 2, savedBy: 'carl' });
  });

  it('says whose it is otherwise', () => {
    expect(nameClash('bobs', list, me)).toMatchObject({ kind: 'foreign', owner: 'bob' });
    expect(nameClash('mine', list, { ...me, username: '' })).toMatchObject({ kind: 'foreign', owner: 'ana' });
  });
});

describe('nameProblem, folderProblem', () => {
  it('checks the name as the server does', () => {
    expect(nameProblem('')).toBe('Give the template a name.');
    expect(nameProblem('Bad')).toMatch(/lowercase/);
    expect(nameProblem('-x')).toMatch(/lowercase/);
    expect(nameProblem('a'.repeat(65))).toMatch(/lowercase/);
    expect(nameProblem('ap-aging-2')).toBeNull();
  });

  it('checks the folder as the server does (empty: the server picks)', () => {
    expect(folderProblem('')).toBeNull();
    expect(folderProblem('close/2026 Q1')).toBeNull();
    expect(folderProblem('../x')).not.toBeNull();
    expect(folderProblem('/abs')).not.toBeNull();
    expect(folderProblem('a/.git')).not.toBeNull();
  });
});
