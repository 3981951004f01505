/**
 * The `language_info` the last kernel of each kernelspec gave in its
 * kernel_info reply: what KernelManager.notebookMetadata answers, so that
 * notebooks the server writes carry what JupyterLab writes when that
 * kernel connects. Kept in memory, and in a store when given one (the
 * metadata store: a restart or another replica still knows it). A store
 * that cannot be read or written is logged, never an error of the kernel.
 */
import type { Logger } from '@workbench/core';

/** Where the language_info of each kernelspec's last kernel is kept across restarts (the metadata store). */
export interface LanguageInfoStore {
  get(kernelspec: string): Promise<Record<string, unknown> | undefined>;
  put(kernelspec: string, info: Record<string, unknown>): Promise<void>;
}

export class LanguageInfoCache {
  private readonly known = new Map<string, Record<string, unknown>>();

  constructor(
    private readonly logger: Logger,
    private readonly store?: LanguageInfoStore,
  ) {}

  /** A copy of what the last kernel of `kernelspec` gave; undefined until one has run (here or, with a store, anywhere). */
  async get(kernelspec: string): Promise<Record<string, unknown> | undefined> {
    let info = this.known.get(kernelspec);
    if (!info && this.store) {
      info = await this.store.get(kernelspec).catch((err: unknown) => {
        this.logger.warn({ err: err instanceof Error ? err.message : String(err), kernelspec }, 'could not read the language_info kept for a kernelspec');
        return undefined;
      });
      if (info) this.known.set(kernelspec, info);
    }
    return info && structuredClone(info);
  }

  /** Keeps what a kernel of `kernelspec` gave; written to the store when it changed (a new spec, an upgraded interpreter). */
  async remember(kernelspec: string, info: unknown): Promise<void> {
    if (!info || typeof info !== 'object' || Array.isArray(info)) return;
    const known = this.known.get(kernelspec);
    if (known && JSON.stringify(known) === JSON.stringify(info)) return;
    this.known.set(kernelspec, info as Record<string, unknown>);
    await this.store?.put(kernelspec, info as Record<string, unknown>).catch((err: unknown) => {
      this.logger.warn({ err: err instanceof Error ? err.message : String(err), kernelspec }, 'could not keep the language_info of a kernelspec');
    });
  }
}
