/** TerminalManager with real shells on real ptys (/bin/sh: no rc files in play). */
import { mkdir, mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAppError } from '@workbench/core';
import type { ServerMessage } from './protocol';
import type { Terminal, TerminalAttachment, TerminalClient } from './terminal';
import { TerminalManager } from './terminal-manager';

class Client implements TerminalClient {
  readonly messages: ServerMessage[] = [];
  private waiters: (() => void)[] = [];
  closed: number | undefined;
  send(msg: ServerMessage): boolean {
    this.messages.push(msg);
    for (const w of this.waiters.splice(0)) w();
    return true;
  }
  close(code: number): void {
    this.closed = code;
  }
  get output(): string {
    return this.messages
      .filter((m) => m[0] === 'stdout')
      .map((m) => m[1])
      .join('');
  }
  async until(check: () => boolean): Promise<void> {
    while (!check()) await new Promise<void>((r) => this.waiters.push(r));
  }
}

async function run(att: TerminalAttachment, client: Client, command: string): Promise<string> {
  const before = client.output.length;
  att.write(`${command}; echo END-$((40+2))\r`);
  await client.until(() => client.output.slice(before).includes('END-42\r\n'));
  return client.output.slice(before);
}

describe('TerminalManager', () => {
  let root: string;
  let manager: TerminalManager;
  beforeEach(async () => {
    root = await realpath(await mkdtemp(join(tmpdir(), 'wb-term-')));
    manager = new TerminalManager({ shell: ['/bin/sh'], rootDir: root, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: root }, scrollbackChars: 1000, killGraceMs: 500 });
  });
  afterEach(async () => {
    await manager[Symbol.asyncDispose]();
    await rm(root, { recursive: true, force: true });
  });

  it('names terminals with the lowest free number', async () => {
    expect([manager.create().name, manager.create().name]).toEqual(['1', '2']);
    await manager.terminate('1');
    expect(manager.create().name).toBe('1');
    expect(manager.list().map((t) => t.name).sort()).toEqual(['1', '2']);
  });

  it('sizes the pty for the smallest client', async () => {
    const t: Terminal = manager.create();
    const a = new Client();
    const b = new Client();
    const ta = t.attach(a);
    const tb = t.attach(b);
    ta.setSize(30, 100);
    tb.setSize(20, 120);
    expect(await run(ta, a, 'stty size')).toContain('20 100\r\n');
    tb[Symbol.dispose]();
    expect(await run(ta, a, 'stty size')).toContain('30 100\r\n');
  });

  it('replays at most the bounded scrollback to a new client', async () => {
    const t = manager.create();
    const a = new Client();
    const att = t.attach(a);
    await run(att, a, 'i=0; while [ $i -lt 100 ]; do echo line-$i-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx; i=$((i+1)); done');
    const late = new Client();
    t.attach(late);
    expect(late.messages[0]).toEqual(['setup', {}]);
    const replay = late.messages[1]![1] as string;
    expect(replay.length).toBe(1000);
    expect(replay).toContain('END-42\r\n');
    expect(replay).not.toContain('line-0-');
  });

  it('starts in a folder inside the root, falls back to the root for a missing one, refuses one outside', async () => {
    await mkdir(join(root, 'a', 'b'), { recursive: true });
    const inside = manager.create({ cwd: 'a/b' });
    const c = new Client();
    expect(await run(inside.attach(c), c, 'pwd')).toContain(`${join(root, 'a', 'b')}\r\n`);
    const missing = manager.create({ cwd: 'nope' });
    const d = new Client();
    expect(await run(missing.attach(d), d, 'pwd')).toContain(`${root}\r\n`);
    for (const cwd of ['..', 'a/../..', '/etc']) {
      let err: unknown;
      try {
        manager.create({ cwd });
      } catch (e) {
        err = e;
      }
      expect([cwd, isAppError(err, 'bad_request')]).toEqual([cwd, true]);
    }
  });

  it('tells clients when the shell ends, and forgets the terminal', async () => {
    const t = manager.create();
    const c = new Client();
    t.attach(c).write('exit 3\r');
    await t.exited;
    expect(c.messages.at(-1)).toEqual(['disconnect', 1]);
    expect(c.closed).toBe(1000);
    expect(manager.has(t.name)).toBe(false);
  });

  it('ends every terminal on dispose and refuses new ones', async () => {
    const ts = [manager.create(), manager.create()];
    await manager[Symbol.asyncDispose]();
    expect(ts.map((t) => t.isRunning)).toEqual([false, false]);
    expect(() => manager.create()).toThrow(/shutting down/);
  });
});
