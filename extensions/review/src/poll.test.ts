import { Poll } from './poll';

describe('Poll', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('ticks every period between start and stop, never two at once, and not after dispose', async () => {
    let ticks = 0;
    let release: () => void = () => undefined;
    const poll = new Poll(1000, () => {
      ticks++;
      return new Promise<void>((res) => (release = res));
    });
    poll.start();
    await jest.advanceTimersByTimeAsync(1000);
    expect(ticks).toBe(1);
    // The first tick is still running: no second one.
    await jest.advanceTimersByTimeAsync(5000);
    expect(ticks).toBe(1);
    release();
    await jest.advanceTimersByTimeAsync(1000);
    expect(ticks).toBe(2);
    release();
    poll.stop();
    await jest.advanceTimersByTimeAsync(5000);
    expect(ticks).toBe(2);
    poll.start();
    poll.setPeriod(200);
    await jest.advanceTimersByTimeAsync(200);
    expect(ticks).toBe(3);
    release();
    poll.dispose();
    poll.start();
    await jest.advanceTimersByTimeAsync(5000);
    expect(ticks).toBe(3);
    expect(jest.getTimerCount()).toBe(0);
  });
});
