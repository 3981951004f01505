/**
 * A browser without a browser, for driving an OpenID Provider's pages over
 * HTTP in tests: keeps cookies (per host and path, honouring Max-Age /
 * Expires deletion), follows redirects, submits forms, and stops when it
 * is redirected to the relying party's callback (which a real browser
 * would load at the application; the test hands its URL to the code under
 * test instead).
 */

export interface Page {
  url: URL;
  status: number;
  html: string;
}

/** Where a navigation ended: redirected to the callback, or on a page of the provider. */
export type Arrival = { kind: 'callback'; url: URL } | { kind: 'page'; page: Page };

export interface Form {
  action: URL;
  fields: Record<string, string>;
}

interface StoredCookie {
  host: string;
  path: string;
  name: string;
  value: string;
}

export interface OidcUserAgentOptions {
  /** True for the URL at which navigation stops (the relying party's redirect or post-logout URI). */
  isCallback(url: URL): boolean;
  fetch?: typeof fetch;
  maxRedirects?: number;
}

const decodeEntities = (s: string) =>
  s.replace(/&(#\d+|#x[0-9a-f]+|amp|lt|gt|quot|apos);/gi, (_, e: string) => {
    const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
    if (e[0] !== '#') return named[e.toLowerCase()] ?? _;
    return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
  });

function attr(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(tag);
  return m ? decodeEntities(m[1] ?? m[2] ?? m[3] ?? '') : undefined;
}

/** The forms of a page with their hidden and pre-filled fields (text inputs, hidden inputs). */
export function parseForms(page: Page): Form[] {
  const forms: Form[] = [];
  for (const m of page.html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const fields: Record<string, string> = {};
    for (const input of m[2]!.matchAll(/<input\b[^>]*>/gi)) {
      const name = attr(input[0], 'name');
      if (name) fields[name] = attr(input[0], 'value') ?? '';
    }
    forms.push({ action: new URL(attr(`<form${m[1]}>`, 'action') ?? page.url.href, page.url), fields });
  }
  return forms;
}

export class OidcUserAgent {
  private cookies: StoredCookie[] = [];

  constructor(private readonly options: OidcUserAgentOptions) {}

  /** GET `url` (or POST a form) and follow redirects until the callback or a page. */
  async open(url: string | URL, form?: Record<string, string>): Promise<Arrival> {
    let current = new URL(url);
    let method = form ? 'POST' : 'GET';
    let body: URLSearchParams | undefined = form ? new URLSearchParams(form) : undefined;
    for (let hop = 0; hop <= (this.options.maxRedirects ?? 20); hop++) {
      if (this.options.isCallback(current)) return { kind: 'callback', url: current };
      const headers: Record<string, string> = { accept: 'text/html' };
      const cookie = this.cookieHeader(current);
      if (cookie) headers.cookie = cookie;
      if (body) headers['content-type'] = 'application/x-www-form-urlencoded';
      const res = await (this.options.fetch ?? fetch)(current, { method, headers, body, redirect: 'manual' });
      this.store(current, res.headers.getSetCookie());
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        await res.arrayBuffer();
        current = new URL(location, current);
        // 307/308 keep the method; 301/302/303 become GET, as browsers do.
        if (res.status !== 307 && res.status !== 308) {
          method = 'GET';
          body = undefined;
        }
        continue;
      }
      return { kind: 'page', page: { url: current, status: res.status, html: await res.text() } };
    }
    throw new Error(`Cannot open ${url}: too many redirects`);
  }

  /** Submit the form of `page` whose action path ends with `actionSuffix` (the first form when omitted), with `fields` over its own. */
  submit(page: Page, fields: Record<string, string> = {}, actionSuffix?: string): Promise<Arrival> {
    const form = parseForms(page).find((f) => actionSuffix === undefined || f.action.pathname.endsWith(actionSuffix));
    if (!form) throw new Error(`Cannot submit: no form${actionSuffix ? ` posting to *${actionSuffix}` : ''} on ${page.url.href} (status ${page.status})`);
    return this.open(form.action, { ...form.fields, ...fields });
  }

  /**
   * Open the authorization URL; sign in on the login form if the provider
   * shows one (with an existing provider session it redirects straight
   * back). The callback URL, or an Error describing the page it ended on.
   */
  async signIn(authorizationUrl: string | URL, username: string, password: string): Promise<URL> {
    let arrival = await this.open(authorizationUrl);
    if (arrival.kind === 'page') arrival = await this.submit(arrival.page, { username, password }, '/login');
    if (arrival.kind === 'callback') return arrival.url;
    throw new Error(`Cannot sign in as ${username}: ended on ${arrival.page.url.pathname} (${arrival.page.status}): ${textOf(arrival.page.html)}`);
  }

  /** Follow an RP-initiated logout URL, confirming "yes" on the provider's sign-out page. */
  async signOut(endSessionUrl: string | URL): Promise<Arrival> {
    let arrival = await this.open(endSessionUrl);
    // With a provider session it asks; without one it auto-posts a form (which a browser's script would submit).
    if (arrival.kind === 'page' && parseForms(arrival.page).length > 0) arrival = await this.submit(arrival.page, { logout: 'yes' });
    return arrival;
  }

  /** Cookies this agent holds for `url`'s host (names only, for assertions). */
  cookieNames(url: string | URL): string[] {
    const host = new URL(url).host;
    return this.cookies.filter((c) => c.host === host).map((c) => c.name);
  }

  private cookieHeader(url: URL): string {
    return this.cookies
      .filter((c) => c.host === url.host && (url.pathname === c.path || url.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`)))
      .sort((a, b) => b.path.length - a.path.length)
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }

  private store(url: URL, setCookies: string[]): void {
    for (const header of setCookies) {
      const [pair, ...attrs] = header.split(';').map((s) => s.trim());
      const eq = pair!.indexOf('=');
      if (eq <= 0) continue;
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      let path = url.pathname.slice(0, url.pathname.lastIndexOf('/')) || '/';
      let expired = false;
      for (const a of attrs) {
        const [k, v = ''] = a.split('=');
        const key = k!.toLowerCase();
        if (key === 'path' && v.startsWith('/')) path = v;
        if (key === 'max-age' && Number(v) <= 0) expired = true;
        if (key === 'expires' && Date.parse(v) <= Date.now()) expired = true;
      }
      this.cookies = this.cookies.filter((c) => !(c.host === url.host && c.path === path && c.name === name));
      if (!expired) this.cookies.push({ host: url.host, path, name, value });
    }
  }
}

function textOf(html: string): string {
  return decodeEntities(html.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim()).slice(0, 300);
}
