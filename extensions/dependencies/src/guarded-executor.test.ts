import { GuardedExecutor } from './guarded-executor';

interface Opts {
  notebook: object;
  cell: string;
}

/** JupyterLab's runCell as the kernel sees it: the order execute requests go out. */
function recordingExecutor() {
  const sent: string[] = [];
  return { sent, runCell: (o: Opts) => (sent.push(o.cell), Promise.resolve(true)) };
}

/** A question the test answers by hand. */
function question() {
  let answer: (ok: boolean) => void = () => undefined;
  const asked = new Promise<boolean>((res) => (answer = res));
  return { asked, answer: (ok: boolean) => answer(ok) };
}

describe('GuardedExecutor', () => {
  it('without a question, sends each run at once, synchronously (JupyterLab’s order)', () => {
    const inner = recordingExecutor();
    const ex = new GuardedExecutor<Opts>(inner);
    const nb = {};
    void ex.runCell({ notebook: nb, cell: 'a' });
    void ex.runCell({ notebook: nb, cell: 'b' });
    expect(inner.sent).toEqual(['a', 'b']);
  });

  it('a question holds up the cells after it (Run All keeps its order); Run anyway sends them in order', async () => {
    const inner = recordingExecutor();
    const ex = new GuardedExecutor<Opts>(inner);
    const q = question();
    ex.setGuard((o) => (o.cell === 'b' ? q.asked : null));
    const nb = {};
    const other = {};
    const results = ['a', 'b', 'c', 'd'].map((cell) => ex.runCell({ notebook: nb, cell }));
    void ex.runCell({ notebook: other, cell: 'x' }); // another notebook is not held up
    expect(inner.sent).toEqual(['a', 'x']);
    q.answer(true);
    await expect(Promise.all(results)).resolves.toEqual([true, true, true, true]);
    expect(inner.sent).toEqual(['a', 'x', 'b', 'c', 'd']);
    // Nothing is held up afterwards.
    void ex.runCell({ notebook: nb, cell: 'e' });
    expect(inner.sent.at(-1)).toBe('e');
  });

  it('Cancel cancels that cell and the ones queued behind it, and nothing later', async () => {
    const inner = recordingExecutor();
    const ex = new GuardedExecutor<Opts>(inner);
    const q = question();
    let asks = 0;
    ex.setGuard((o) => (o.cell === 'b' && asks++ === 0 ? q.asked : null));
    const nb = {};
    const results = ['a', 'b', 'c'].map((cell) => ex.runCell({ notebook: nb, cell }));
    q.answer(false);
    await expect(Promise.all(results)).resolves.toEqual([true, false, false]);
    expect(inner.sent).toEqual(['a']);
    await expect(ex.runCell({ notebook: nb, cell: 'b' })).resolves.toBe(true);
    expect(inner.sent).toEqual(['a', 'b']);
  });

  it('a guard that throws or rejects does not stop runs for good', async () => {
    const inner = recordingExecutor();
    const ex = new GuardedExecutor<Opts>(inner);
    const error = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    ex.setGuard(() => {
      throw new Error('broken');
    });
    await expect(ex.runCell({ notebook: {}, cell: 'a' })).resolves.toBe(true);
    ex.setGuard(() => Promise.reject(new Error('dialog failed')));
    await expect(ex.runCell({ notebook: {}, cell: 'b' })).resolves.toBe(false);
    ex.setGuard(null);
    await expect(ex.runCell({ notebook: {}, cell: 'c' })).resolves.toBe(true);
    expect(inner.sent).toEqual(['a', 'c']);
    expect(error).toHaveBeenCalledTimes(1);
    error.mockRestore();
  });
});
