/**
 * The cookies of one Superset origin, enough for Flask's session cookie:
 * Flask-WTF keeps the raw CSRF token in the session (flask_wtf/csrf.py,
 * generate_csrf: session[field_name]) and the signed token we send in
 * X-CSRFToken is only valid together with that cookie. Domain and Path are
 * ignored (one origin, every path); Max-Age<=0 or a past Expires deletes.
 */
export class SessionCookies {
  private readonly jar = new Map<string, string>();

  /** Take the Set-Cookie headers of an answer. */
  update(setCookies: readonly string[], now: number): void {
    for (const line of setCookies) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair?.indexOf('=') ?? -1;
      if (!pair || eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      let expired = false;
      for (const attr of attrs) {
        const [k, v = ''] = attr.split('=', 2).map((s) => s.trim());
        if (k?.toLowerCase() === 'max-age' && Number(v) <= 0) expired = true;
        if (k?.toLowerCase() === 'expires' && Date.parse(v) <= now) expired = true;
      }
      if (expired) this.jar.delete(name);
      else this.jar.set(name, value);
    }
  }

  /** The Cookie header value, or undefined when there is none. */
  header(): string | undefined {
    if (this.jar.size === 0) return undefined;
    return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  clear(): void {
    this.jar.clear();
  }
}
