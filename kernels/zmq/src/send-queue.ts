/**
 * zeromq v6 allows one send in flight per socket (a second one throws
 * EBUSY). This queue serialises sends without building a promise chain
 * that grows with traffic.
 */
export class SendQueue {
  private readonly queue: { frames: Buffer[]; resolve: () => void; reject: (e: unknown) => void }[] = [];
  private pumping = false;
  private closed = false;

  constructor(private readonly sendFn: (frames: Buffer[]) => Promise<void>) {}

  send(frames: Buffer[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error('Cannot send to kernel: connection closed'));
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ frames, resolve, reject });
      if (!this.pumping) void this.pump();
    });
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    while (this.queue.length > 0) {
      const item = this.queue.shift()!;
      try {
        await this.sendFn(item.frames);
        item.resolve();
      } catch (err) {
        item.reject(err);
      }
    }
    this.pumping = false;
  }

  close(): void {
    this.closed = true;
    for (const item of this.queue.splice(0)) item.reject(new Error('Cannot send to kernel: connection closed'));
  }
}
