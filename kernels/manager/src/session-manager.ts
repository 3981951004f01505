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
  user: string;
  signal?: AbortSignal;
}

export interface PatchSessionRequest {
  path?: string;
  name?: string;
  type?: string;
  kernel?: { id?: string; name?: string };
  user: string;
}

export class SessionManager {
  private readonly rows = new Map<string, SessionRow>();

  constructor(private readonly kernels: KernelManager) {
    kernels.onKernelRemoved(({ id }) => {
      for (const [sid, row] of this.rows) if (row.kernelId === id) this.rows.delete(sid);
    });
  }

  list(): SessionModel[] {
    return [...this.rows.values()].filter((r) => this.kernels.has(r.kernelId)).map((r) => this.model(r));
  }

  get(id: string): SessionModel {
    return this.model(this.row(id));
  }

  private row(id: string): SessionRow {
    const r = this.rows.get(id);
    if (!r || !this.kernels.has(r.kernelId)) {
      if (r) this.rows.delete(id);
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
   * An existing session for the same path is returned as is (jupyter_server
   * semantics), also one still starting its kernel: two windows opening a
   * notebook at once share one kernel.
   */
  async create(req: CreateSessionRequest): Promise<SessionModel> {
    const existing = [...this.rows.values()].find((r) => r.path === req.path && this.kernels.has(r.kernelId));
    if (existing) return this.model(existing);
    const pending = this.creating.get(req.path);
    if (pending) {
      await pending.catch(() => undefined); // if it failed, this request tries on its own
      return this.create(req);
    }
    const made = (async () => {
      const kernelId = await this.kernelFor(req.kernel, req.path, req.user, req.signal);
      const row: SessionRow = { id: randomUUID(), path: req.path, name: req.name ?? '', type: req.type ?? '', kernelId, owner: req.user };
      this.rows.set(row.id, row);
      return this.model(row);
    })();
    this.creating.set(req.path, made);
    try {
      return await made;
    } finally {
      if (this.creating.get(req.path) === made) this.creating.delete(req.path);
    }
  }

  private async kernelFor(kernel: CreateSessionRequest['kernel'], path: string, user: string, signal?: AbortSignal): Promise<string> {
    if (kernel?.id) {
      if (!this.kernels.has(kernel.id)) throw new AppError('bad_request', `Cannot use kernel: no kernel with id ${kernel.id}`);
      return kernel.id;
    }
    const k = await this.kernels.start({ name: kernel?.name, path, env: kernel?.env, user, signal });
    return k.id;
  }

  async patch(id: string, req: PatchSessionRequest): Promise<SessionModel> {
    const row = this.row(id);
    const before = row.kernelId;
    if (req.path !== undefined) row.path = req.path;
    if (req.name !== undefined) row.name = req.name;
    if (req.type !== undefined) row.type = req.type;
    if (req.kernel?.id) {
      if (!this.kernels.has(req.kernel.id)) throw new AppError('bad_request', `Cannot change kernel: no kernel with id ${req.kernel.id}`);
      row.kernelId = req.kernel.id;
    } else if (req.kernel?.name) {
      row.kernelId = await this.kernelFor({ name: req.kernel.name }, row.path, req.user);
    }
    if (row.kernelId !== before && this.kernels.has(before) && ![...this.rows.values()].some((r) => r.kernelId === before)) {
      await this.kernels.shutdown(before);
    }
    return this.model(row);
  }

  async delete(id: string): Promise<void> {
    const row = this.row(id);
    this.rows.delete(id);
    if (this.kernels.has(row.kernelId) && ![...this.rows.values()].some((r) => r.kernelId === row.kernelId)) {
      await this.kernels.shutdown(row.kernelId);
    }
  }
}
