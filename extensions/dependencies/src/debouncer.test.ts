import { Debouncer, type Timers } from './debouncer';

/** A clock the test moves by hand. */
function fakeTimers(): Timers & { advance(ms: number): void; count(): number } {
  let now = 0;
  let next = 1;
  const timers = new Map<number, { at: number; fn: () => void }>();
  return {
    setTimeout(fn, ms) {
      const id = next++;
      timers.set(id, { at: now + ms, fn });
      return id;
    },
    clearTimeout(handle) {
      timers.delete(handle as number);
    },
    advance(ms) {
      now += ms;
      for (const [id, t] of [...timers].sort((a, b) => a[1].at - b[1].at)) {
        if (t.at > now) continue;
        timers.delete(id);
        t.fn();
      }
    },
    count: () => timers.size,
  };
}

describe('Debouncer', () => {
  it('runs once the edits stopped for the delay; each edit pushes it back', () => {
    const clock = fakeTimers();
    let runs = 0;
    const d = new Debouncer(() => runs++, 500, clock);
    d.schedule();
    clock.advance(400);
    d.schedule(); // typed again
    clock.advance(400);
    expect(runs).toBe(0);
    expect(d.pending).toBe(true);
    clock.advance(100);
    expect(runs).toBe(1);
    expect(d.pending).toBe(false);
    expect(clock.count()).toBe(0);
  });

  it('flush runs a pending task now (and only then); cancel and dispose drop it', () => {
    const clock = fakeTimers();
    let runs = 0;
    const d = new Debouncer(() => runs++, 500, clock);
    expect(d.flush()).toBe(false);
    d.schedule();
    expect(d.flush()).toBe(true);
    expect(runs).toBe(1);
    clock.advance(1000);
    expect(runs).toBe(1);
    d.schedule();
    d.cancel();
    clock.advance(1000);
    expect(runs).toBe(1);
    d.dispose();
    d.schedule();
    clock.advance(1000);
    expect(runs).toBe(1);
    expect(clock.count()).toBe(0);
  });
});
