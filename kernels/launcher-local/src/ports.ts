import { createServer, Server } from 'node:net';

/**
 * Free TCP ports for a kernel's five sockets. All five are held open at once
 * (so they differ), then released for the kernel to bind, as jupyter_client
 * does; recently handed-out ports are not handed out again by this allocator.
 */
export class PortAllocator {
  private readonly recent: number[] = [];

  constructor(
    private readonly ip: string,
    private readonly remember = 512,
  ) {}

  async allocate(count: number): Promise<number[]> {
    const servers: Server[] = [];
    const ports: number[] = [];
    try {
      while (ports.length < count) {
        const s = createServer();
        servers.push(s);
        await new Promise<void>((resolve, reject) => {
          s.once('error', reject);
          s.listen(0, this.ip, () => resolve());
        });
        const port = (s.address() as { port: number }).port;
        if (!this.recent.includes(port)) ports.push(port);
      }
    } finally {
      await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    }
    this.recent.push(...ports);
    if (this.recent.length > this.remember) this.recent.splice(0, this.recent.length - this.remember);
    return ports;
  }
}
