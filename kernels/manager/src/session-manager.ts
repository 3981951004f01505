/**
 * Sessions: a (path, name, type) bound to a kernel (jupyter_server
 * services/sessions). A session for a path that does not exist is fine
 * (VS Code uses made-up paths). Sessions whose kernel is gone are pruned.
 */
import { randomUUID } from 'node:crypto';
import { AppError } from '@workbench/core';
import type { KernelModel } from './kernel';
import type { KernelManager } from './kernel-manager';

export interface SessionModel {
  id: string;
  path: string;
  name: string;
  type: string;
  kernel: KernelModel | null;
  notebook: { path: string; name: string };
}

interface SessionRow {
  id: string;
  path: string;
  name: string;
  type: string;
  kernelId: string;
  owner: string;
}

export interface CreateSessionRequest {
  path: string;
  name?: string;
  type?: string;
  kernel?: { id?: string; name?: string; env?: Record<string, unknown> };
  /** Who asks: the session and any kernel it starts belong to them. */
  user: string;
  /** May the session use another user's kernel ({kernel: {id}})? (admins) */
  anyKernel?: boolean;
  signal?: AbortSignal;
}

export interface PatchSessionRequest {
  path?: string;
  name?: string;
  type?: string;
  kernel?: { id?: string; name?: string };
  user: string;
  anyKernel?: boolean;
}

export class SessionManager {
  private readonly rows = new Map<string, SessionRow>();

  constructor(private readonly kernels: KernelManager) {
    kernels.onKernelRemoved(({ id }) => {
      for (const [sid, row] of this.rows) if (row.kernelId === id) this.rows.delete(sid);
    });
  }

  /** All sessions, or only those of `owner`. */
  list(owner?: string): SessionModel[] {
    return [...this.rows.values()].filter((r) => this.kernels.has(r.kernelId) && (owner === undefined || r.owner === owner)).map((r) => this.model(r));
  }

  /** `owner`: answer "no such session" for a session of anybody else (it is not theirs to see). */
  get(id: string, owner?: string): SessionModel {
    return this.model(this.row(id, owner));
  }

  private row(id: string, owner?: string): SessionRow {
    const r = this.rows.get(id);
    if (!r || !this.kernels.has(r.kernelId) || (owner !== undefined && r.owner !== owner)) {
      // A session whose kernel is gone is gone too; another user's stays as it is.
      if (r && !this.kernels.has(r.kernelId)) this.rows.delete(id);
      throw new AppError('not_found', `Cannot find session: no session with id ${id}`);
    }
    return r;
  }

  private model(r: SessionRow): SessionModel {
    return { id: r.id, path: r.path, name: r.name, type: r.type, kernel: this.kernels.has(r.kernelId) ? this.kernels.get(r.kernelId).model() : null, notebook: { path: r.path, name: r.name } };
  }

  /** Sessions being created, by path: a second request for the path waits for the first. */
  private readonly creating = new Map<string, Promise<SessionModel>>();

  /**
   * An existing session of the same user for the same path is returned as
   * is (jupyter_server semantics), also one still starting its kernel: two
   * windows opening a notebook at once share one kernel. Another user
   * opening the same notebook gets a session and kernel of their own.
   */
  async create(req: CreateSessionRequest): Promise<SessionModel> {
    const existing = [...this.rows.values()].find((r) => r.path === req.path && r.owner === req.user && this.kernels.has(r.kernelId));
    if (existing) return this.model(existing);
    const key = `${req.user}\0${req.path}`;
    const pending = this.creating.get(key);
    if (pending) {
      await pending.catch(() => undefined); // if it failed, this request tries on its own
      return this.create(req);
    }
    const made = (async () => {
      const kernelId = await this.kernelFor(req.kernel, req.path, req.user, req.anyKernel === true, req.signal);
      const row: SessionRow = { id: randomUUID(), path: req.path, name: req.name ?? '', type: req.type ?? '', kernelId, owner: req.user };
      this.rows.set(row.id, row);
      return this.model(row);
    })();
    this.creating.set(key, made);
    try {
      return await made;
    } finally {
      if (this.creating.get(key) === made) this.creating.delete(key);
    }
  }

  private async kernelFor(kernel: CreateSessionRequest['kernel'], path: string, user: string, anyKernel: boolean, signal?: AbortSignal): Promise<string> {
    if (kernel?.id) {
      // Another user's kernel reads as no kernel at all: its id says nothing.
      if (!this.kernels.has(kernel.id) || (!anyKernel && this.kernels.get(kernel.id).owner !== user)) throw new AppError('bad_request', `Cannot use kernel: no kernel with id ${kernel.id}`);
      return kernel.id;
    }
    const k = await this.kernels.start({ name: kernel?.name, path, env: kernel?.env, user, signal });
    return k.id;
  }

  /** Only the session's owner may change it, unless `anyKernel` (admins). */
  async patch(id: string, req: PatchSessionRequest): Promise<SessionModel> {
    const row = this.row(id, req.anyKernel ? undefined : req.user);
    const before = row.kernelId;
    // Check before changing anything: a refused kernel leaves the session as it was.
    if (req.kernel?.id && (!this.kernels.has(req.kernel.id) || (!req.anyKernel && this.kernels.get(req.kernel.id).owner !== req.user))) {
      throw new AppError('bad_request', `Cannot change kernel: no kernel with id ${req.kernel.id}`);
    }
    if (req.path !== undefined) row.path = req.path;
    if (req.name !== undefined) row.name = req.name;
    if (req.type !== undefined) row.type = req.type;
    if (req.kernel?.id) {
      row.kernelId = req.kernel.id;
    } else if (req.kernel?.name) {
      row.kernelId = await this.kernelFor({ name: req.kernel.name }, row.path, row.owner, true);
    }
    if (row.kernelId !== before && this.kernels.has(before) && ![...this.rows.values()].some((r) => r.kernelId === before)) {
      await this.kernels.shutdown(before);
    }
    return this.model(row);
  }

  async delete(id: string, owner?: string): Promise<void> {
    const row = this.row(id, owner);
    this.rows.delete(id);
    if (this.kernels.has(row.kernelId) && ![...this.rows.values()].some((r) => r.kernelId === row.kernelId)) {
      await this.kernels.shutdown(row.kernelId);
    }
  }
}
