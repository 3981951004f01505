/**
 * @lumino/polling 2.1 (the poll under @jupyterlab/services' KernelManager,
 * SessionManager and KernelSpecManager) leaves the next tick of a disposed
 * poll scheduled: a manager a test disposed still holds its jest worker
 * for up to the poll interval (10 s for the kernel and session models),
 * past jest's grace period at the end of a run, and jest warns "A worker
 * process has failed to exit gracefully". No test waits on a poll tick (it
 * is a background refresh), so poll timers are unref'd: they still run
 * while anything else keeps the process alive, and never keep it alive.
 * Upstream: Poll.dispose() does not clearTimeout (lumino main, 2.1.6).
 */
import { Poll } from '@lumino/polling';

const schedule = Poll.prototype.schedule;
Poll.prototype.schedule = async function (this: Poll<unknown, unknown, string>, ...args: Parameters<Poll['schedule']>): Promise<void> {
  await schedule.apply(this, args);
  (this as unknown as { _timeout?: ReturnType<typeof setTimeout> })._timeout?.unref();
};
