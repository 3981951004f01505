/**
 * A modest refresh while a screen is shown: `tick` runs every `everyMs`
 * after the previous tick finished (never two at once), between `start()`
 * and `stop()`. Screens start it when shown and stop it when hidden or
 * detached; `dispose()` clears the timer for good. The period can change
 * (a document page polls faster while the server works on it).
 */
export class Poll {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running = false;
  private disposed = false;

  constructor(
    private everyMs: number,
    private readonly tick: () => Promise<void>,
  ) {}

  get isRunning(): boolean {
    return this.running;
  }

  /** The period from the next tick on. */
  setPeriod(ms: number): void {
    if (ms === this.everyMs) return;
    this.everyMs = ms;
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
      this.arm();
    }
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
    if (!this.running || this.timer !== null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.tick()
        .catch(() => undefined)
        .finally(() => this.arm());
    }, this.everyMs);
  }
}
