/**
 * When the screens reload: a modest poll while shown, and reloads asked
 * for by live events, coalesced.
 */

/**
 * A modest refresh while a screen is shown: `tick` runs every `everyMs`
 * after the previous tick finished (never two at once), between `start()`
 * and `stop()`. Screens start it when shown and stop it when hidden;
 * `dispose()` (their own) clears the timer for good.
 */
export class Poll {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running = false;
  private disposed = false;

  constructor(
    private readonly everyMs: number,
    private readonly tick: () => Promise<void>,
  ) {}

  get isRunning(): boolean {
    return this.running;
  }

  start(): void {
    if (this.running || this.disposed) return;
    this.running = true;
    this.arm();
  }

  stop(): void {
    this.running = false;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  dispose(): void {
    this.disposed = true;
    this.stop();
  }

  private arm(): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.tick()
        .catch(() => undefined)
        .finally(() => this.arm());
    }, this.everyMs);
  }
}

/**
 * Reloads asked for by events (a task started, a run ended): `request()`
 * runs `fn` after `delayMs`, once however often it was asked meanwhile,
 * and again afterwards if asked while it ran.
 */
export class Coalescer {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private busy = false;
  private again = false;
  private disposed = false;

  constructor(
    private readonly delayMs: number,
    private readonly fn: () => Promise<void>,
  ) {}

  request(): void {
    if (this.disposed) return;
    if (this.busy) {
      this.again = true;
      return;
    }
    this.timer ??= setTimeout(() => {
      this.timer = null;
      this.busy = true;
      void this.fn()
        .catch(() => undefined)
        .finally(() => {
          this.busy = false;
          if (this.again) {
            this.again = false;
            this.request();
          }
        });
    }, this.delayMs);
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
