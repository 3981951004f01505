/**
 * A Server-Sent Events stream, read incrementally: text goes in in
 * whatever pieces the network delivers (an event, a line, even a CR LF
 * pair may be split across chunks), complete events come out. Follows the
 * HTML standard's "interpreting an event stream"
 * (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation):
 * lines end in CR LF, LF or CR; `:` starts a comment; `field: value` (one
 * space after the colon dropped); `data` lines are joined with LF; a blank
 * line dispatches the event (none when it has no data); the type defaults
 * to `message`; `id` is remembered across events; `retry` sets the
 * reconnection time. Pure: bytes are decoded by the caller (TextDecoder
 * with `stream: true`, so a character split across chunks stays whole).
 *
 * EventSource is not used because it cannot send the Authorization header
 * JupyterLab's token sessions need.
 */

export interface SseEvent {
  /** `event:`, or `message`. */
  type: string;
  data: string;
  /** The last `id:` seen so far ('' when none). */
  lastEventId: string;
}

export class SseParser {
  private buffer = '';
  private started = false;
  private data: string[] = [];
  private type = '';
  private id = '';
  private _retryMs: number | null = null;

  /** The reconnection time the server asked for (`retry:`), if any. */
  get retryMs(): number | null {
    return this._retryMs;
  }

  /** The last event id (`id:`), to resume from. */
  get lastEventId(): string {
    return this.id;
  }

  /** Feeds `chunk`; answers the events it completed, in order. */
  push(chunk: string): SseEvent[] {
    this.buffer += chunk;
    if (!this.started && this.buffer.length > 0) {
      this.started = true;
      if (this.buffer.charCodeAt(0) === 0xfeff) this.buffer = this.buffer.slice(1);
    }
    return this.drain(false);
  }

  /** The stream ended: a last line without its terminator still counts, but an event without its blank line is dropped (as the standard says). */
  end(): SseEvent[] {
    const out = this.drain(true);
    if (this.buffer !== '') {
      this.line(this.buffer, out);
      this.buffer = '';
    }
    this.data = [];
    this.type = '';
    return out;
  }

  private drain(final: boolean): SseEvent[] {
    const out: SseEvent[] = [];
    let start = 0;
    for (;;) {
      let i = start;
      while (i < this.buffer.length && this.buffer[i] !== '\n' && this.buffer[i] !== '\r') i++;
      if (i >= this.buffer.length) break;
      // A CR last in the buffer may be the first half of CR LF: wait for the next chunk.
      if (this.buffer[i] === '\r' && i === this.buffer.length - 1 && !final) break;
      this.line(this.buffer.slice(start, i), out);
      start = this.buffer[i] === '\r' && this.buffer[i + 1] === '\n' ? i + 2 : i + 1;
    }
    this.buffer = this.buffer.slice(start);
    return out;
  }

  private line(line: string, out: SseEvent[]): void {
    if (line === '') {
      if (this.data.length > 0) out.push({ type: this.type || 'message', data: this.data.join('\n'), lastEventId: this.id });
      this.data = [];
      this.type = '';
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        this.type = value;
        break;
      case 'data':
        this.data.push(value);
        break;
      case 'id':
        if (!value.includes('\0')) this.id = value;
        break;
      case 'retry':
        if (/^[0-9]+$/.test(value)) this._retryMs = Number(value);
        break;
      default:
        break;
    }
  }
}
