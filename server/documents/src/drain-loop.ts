/**
 * A worker that takes steps until there is nothing left, one loop at a
 * time: a wake-up while it runs makes it look once more when it would
 * stop, so no wake-up is lost and no two loops run side by side.
 */
export class DrainLoop {
  private running: Promise<void> | undefined;
  private again = false;

  /** `step` answers false when there was nothing to do; `stopped` ends the loop early; `failed` hears an error that stopped it. */
  constructor(
    private readonly step: () => Promise<boolean>,
    private readonly stopped: () => boolean,
    private readonly failed: (err: unknown) => void,
  ) {}

  /** Starts the loop, or asks the running one to look again; resolves when it stops. */
  wake(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        while (!this.stopped() && (await this.step())) {
          /* next */
        }
      } while (this.again && !this.stopped());
    })()
      .catch(this.failed)
      .finally(() => (this.running = undefined));
    return this.running;
  }

  /** Resolves once the loop (if any) has stopped. */
  async idle(): Promise<void> {
    await this.running;
  }
}
