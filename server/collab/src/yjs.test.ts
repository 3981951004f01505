import { jupyterYDoc, Y } from './yjs';

describe('yjs loading', () => {
  it('gives our Y.Doc and a @jupyter/ydoc YNotebook one shared Yjs instance', () => {
    // yjs runs in Node's own realm (loaded by Node's require), so it writes to that realm's console, not jest's.
    const realConsole = process.getBuiltinModule('node:vm').runInThisContext('console') as Console;
    const warnings: unknown[][] = [];
    const spy = jest.spyOn(realConsole, 'warn').mockImplementation((...args: unknown[]) => void warnings.push(args));
    const spyErr = jest.spyOn(realConsole, 'error').mockImplementation((...args: unknown[]) => void warnings.push(args));
    try {
      const nb = jupyterYDoc().YNotebook.create();
      expect(nb.ydoc).toBeInstanceOf(Y().Doc);
      nb.insertCell(0, { cell_type: 'code', source: 'print(1)', id: 'a1', metadata: {} });

      const ours = new (Y().Doc)();
      Y().applyUpdate(ours, Y().encodeStateAsUpdate(nb.ydoc));
      const cells = ours.getArray('cells');
      expect(cells.length).toBe(1);
      const cell = cells.get(0);
      expect(cell).toBeInstanceOf(Y().Map);
      expect(((cell as InstanceType<ReturnType<typeof Y>['Map']>).get('source') as object)).toBeInstanceOf(Y().Text);

      const back = jupyterYDoc().YNotebook.create();
      Y().applyUpdate(back.ydoc, Y().encodeStateAsUpdate(ours));
      expect(back.cells.map((c) => c.getSource())).toEqual(['print(1)']);
      nb.dispose();
      back.dispose();
    } finally {
      spy.mockRestore();
      spyErr.mockRestore();
    }
    expect(warnings.filter((w) => String(w[0]).includes('Yjs was already imported'))).toEqual([]);
  });

  it('warns when a second Yjs is loaded, which is what the check above would catch', () => {
    const realConsole = process.getBuiltinModule('node:vm').runInThisContext('console') as Console;
    const warnings: unknown[][] = [];
    const spy = jest.spyOn(realConsole, 'warn').mockImplementation((...args: unknown[]) => void warnings.push(args));
    const spyErr = jest.spyOn(realConsole, 'error').mockImplementation((...args: unknown[]) => void warnings.push(args));
    try {
      Y(); // the ESM build is loaded
      process.getBuiltinModule('node:module').createRequire(__filename)('yjs'); // the CJS build: a second instance
    } finally {
      spy.mockRestore();
      spyErr.mockRestore();
    }
    expect(warnings.some((w) => String(w[0]).includes('Yjs was already imported'))).toBe(true);
  });
});
