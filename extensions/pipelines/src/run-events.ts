/**
 * A run's live events (`GET api/runs/:id/events`, Server-Sent Events): the
 * stored log lines first, then live lines, task changes and the run's
 * status, until the server sends `end` (the run ended). Read with the
 * application's own request function (`ServerConnection.makeRequest`:
 * token header, `_xsrf`, cookies) and parsed by SseParser, because
 * EventSource cannot send the Authorization header.
 *
 * Connection policy (STYLE.md practice 8):
 * - the stream ends with `end`: done, no reconnection;
 * - no answer, a 5xx, 408 or 429, or a stream that closes before `end`
 *   (a restart, a proxy's idle timeout): reconnect after
 *   `reconnectDelay(n)` (exponential from 1 s, capped at 30 s, with
 *   jitter), n counting failures since the last event received;
 * - any other 4xx (the run is gone, the role may not read it) or an event
 *   that is not what the API documents: stop and report it;
 * - a reconnected stream sends the stored lines again: lines at or before
 *   each task's last (attempt, seq) are dropped, so each line is delivered
 *   once and in order per task;
 * - `dispose()` aborts the request and the wait between attempts.
 */
import type { SendRequest } from '@workbench/lab-common';
import { errorFromResponse, isAbort, PipelinesError } from './pipelines-api';
import { SseParser } from './sse-parser';
import type { RunEvent } from './types';
import { readRunEvent } from './validate';

export type StreamState = 'connecting' | 'open' | 'retrying' | 'ended' | 'failed';

export interface RunEventStreamOptions {
  send: SendRequest;
  /** `{base}api/runs/{id}/events`. */
  url: string;
  onEvent: (event: RunEvent) => void;
  /** The connection's state; `failed` comes with the reason. */
  onState?: (state: StreamState, error?: PipelinesError) => void;
  /** In [0, 1); default Math.random. */
  random?: () => number;
  /** Waits `ms` unless `signal` aborts first; default a timer. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

const BASE_DELAY_MS = 1000;
const MAX_DELAY_MS = 30_000;

/** The wait before reconnection attempt `failures` (0-based): min(cap, base * 2^n), half of it fixed and half random. */
export function reconnectDelay(failures: number, random: () => number = Math.random, base = BASE_DELAY_MS, cap = MAX_DELAY_MS): number {
  const d = Math.min(cap, base * 2 ** Math.min(failures, 30));
  return Math.round(d / 2 + (random() * d) / 2);
}

/** Whether an HTTP status is worth trying again. */
export function retryableStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

function defaultSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

export class RunEventStream {
  private readonly options: RunEventStreamOptions;
  private readonly abort = new AbortController();
  /** Per task, the last (attempt, seq) delivered. */
  private readonly cursors = new Map<string, { attempt: number; seq: number }>();
  private _state: StreamState = 'connecting';
  private _done: Promise<void> | null = null;

  constructor(options: RunEventStreamOptions) {
    this.options = options;
  }

  get state(): StreamState {
    return this._state;
  }

  get isDisposed(): boolean {
    return this.abort.signal.aborted;
  }

  /** Connects (once); the promise settles when the stream ended, failed or was disposed. */
  start(): Promise<void> {
    this._done ??= this.loop();
    return this._done;
  }

  dispose(): void {
    this.abort.abort();
  }

  private setState(state: StreamState, error?: PipelinesError): void {
    this._state = state;
    if (!this.abort.signal.aborted) this.options.onState?.(state, error);
  }

  private async loop(): Promise<void> {
    const signal = this.abort.signal;
    const sleep = this.options.sleep ?? defaultSleep;
    let failures = 0;
    while (!signal.aborted) {
      this.setState(failures === 0 ? 'connecting' : 'retrying');
      let outcome: 'ended' | 'dropped' | 'received';
      try {
        outcome = await this.once(signal);
      } catch (err) {
        if (signal.aborted || isAbort(err)) return;
        if (err instanceof PipelinesError && err.kind !== 'network' && !(err.status !== null && retryableStatus(err.status))) {
          this.setState('failed', err);
          return;
        }
        outcome = 'dropped';
      }
      if (outcome === 'ended') {
        this.setState('ended');
        return;
      }
      if (outcome === 'received') failures = 0;
      await sleep(reconnectDelay(failures++, this.options.random), signal);
    }
  }

  /** One connection: 'ended' after `end`, else whether anything arrived before it dropped. */
  private async once(signal: AbortSignal): Promise<'ended' | 'dropped' | 'received'> {
    let response: Response;
    try {
      response = await this.options.send(this.options.url, { method: 'GET', signal, cache: 'no-cache', headers: { Accept: 'text/event-stream' } });
    } catch (err) {
      if (signal.aborted) throw err;
      throw new PipelinesError('network', 'Cannot follow the run: the server cannot be reached', null, { cause: err });
    }
    if (!response.ok) throw errorFromResponse('follow the run', response.status, await response.text().catch(() => ''));
    if (!response.body) return 'dropped';
    this.setState('open');
    const parser = new SseParser();
    const decoder = new TextDecoder();
    const reader = response.body.getReader();
    let received = false;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        const events = done ? [...parser.push(decoder.decode()), ...parser.end()] : parser.push(decoder.decode(value, { stream: true }));
        for (const e of events) {
          let data: unknown;
          try {
            data = JSON.parse(e.data);
          } catch (err) {
            throw new PipelinesError('invalid_response', `Cannot follow the run: its ${e.type} event is not JSON`, null, { cause: err });
          }
          const event = readRunEvent(e.type, data);
          received = true;
          if (event.type === 'log' && !this.fresh(event.line)) continue;
          if (signal.aborted) return 'ended';
          this.options.onEvent(event);
          if (event.type === 'end') return 'ended';
        }
        if (done) return received ? 'received' : 'dropped';
      }
    } finally {
      reader.cancel().catch(() => undefined);
    }
  }

  /** Whether a line comes after its task's last delivered one (and moves the cursor). */
  private fresh(line: { taskId: string; attempt: number; seq: number }): boolean {
    const c = this.cursors.get(line.taskId);
    if (c && (line.attempt < c.attempt || (line.attempt === c.attempt && line.seq <= c.seq))) return false;
    this.cursors.set(line.taskId, { attempt: line.attempt, seq: line.seq });
    return true;
  }
}
