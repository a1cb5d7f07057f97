/** A cookie-keeping HTTP client for the console, as a browser without JavaScript would use it. */
export class ConsoleClient {
  readonly base: string;
  cookie = '';
  /** Every response's headers and body, to check that no secret ever shows. */
  readonly seen: string[] = [];
  constructor(base: string) {
    this.base = base;
  }

  async request(path: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<{ status: number; headers: Headers; text: string }> {
    const response = await fetch(`${this.base}${path}`, {
      method: init.method ?? (init.form ? 'POST' : 'GET'),
      redirect: 'manual',
      headers: {
        ...(this.cookie ? { cookie: this.cookie } : {}),
        ...(init.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body: init.form ? new URLSearchParams(init.form).toString() : undefined,
    });
    const setCookie = response.headers.getSetCookie();
    for (const line of setCookie) {
      const pair = line.split(';')[0]!;
      this.cookie = pair.endsWith('=') ? '' : pair;
    }
    const text = await response.text();
    this.seen.push(`${[...response.headers].map(([k, v]) => `${k}: ${v}`).join('\n')}\n\n${text}`);
    return { status: response.status, headers: response.headers, text };
  }

  /** The CSRF token of a page's forms. */
  static csrfOf(html: string): string {
    const match = /name="_csrf" value="([^"]+)"/.exec(html);
    if (!match) throw new Error('no CSRF token on the page');
    return match[1]!;
  }

  async login(username: string, password: string): Promise<{ status: number; headers: Headers; text: string }> {
    const page = await this.request('/login');
    return this.request('/login', { form: { _csrf: ConsoleClient.csrfOf(page.text), username, password, next: '/' } });
  }
}
