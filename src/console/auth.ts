import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyFormbody from '@fastify/formbody';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifySession from '@fastify/session';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../db/database.ts';
import { recordAudit } from '../db/audit.ts';
import { html } from './html.ts';
import { page, type Viewer } from './layout.ts';
import { readUsers, verifyUser } from './users.ts';

declare module 'fastify' {
  interface Session {
    user?: Viewer;
  }
}

export interface AuthOptions {
  db: Db;
  usersFile: string;
  sessionSecret: string;
  /** Secure cookies when the console is reached over https (CONSOLE_PUBLIC_URL). */
  secureCookies: boolean;
  /** Login attempts per address and window (console.md: logins are rate-limited). */
  loginLimit: { max: number; timeWindowMs: number };
}

/** Paths anyone may reach: health, metrics and the login itself. */
const PUBLIC = new Set(['/livez', '/readyz', '/metrics', '/login']);

export const SESSION_COOKIE = 'cet_console';

/** Cookies, sessions, CSRF, the login rate limit, login and logout, and the login requirement. */
export async function registerAuth(app: FastifyInstance, options: AuthOptions): Promise<void> {
  await app.register(fastifyCookie);
  await app.register(fastifySession, {
    secret: options.sessionSecret,
    cookieName: SESSION_COOKIE,
    saveUninitialized: false,
    cookie: { httpOnly: true, sameSite: 'strict', secure: options.secureCookies, path: '/', maxAge: 8 * 3600 * 1000 },
  });
  await app.register(fastifyFormbody);
  await app.register(fastifyCsrf, { sessionPlugin: '@fastify/session' });
  await app.register(fastifyRateLimit, { global: false });

  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?')[0]!;
    if (PUBLIC.has(path) || request.session.user) return;
    if (request.method === 'GET' || request.method === 'HEAD') {
      return reply.redirect(`/login?next=${encodeURIComponent(request.url)}`);
    }
    return reply.code(401).type('text/plain').send('Log in first.');
  });

  app.get('/login', async (request, reply) => {
    const next = safeNext((request.query as { next?: string }).next);
    if (request.session.user) return reply.redirect(next);
    return reply.type('text/html').send(loginPage(await reply.generateCsrf(), next, null));
  });

  app.post(
    '/login',
    {
      config: { rateLimit: { max: options.loginLimit.max, timeWindow: options.loginLimit.timeWindowMs } },
      preHandler: app.csrfProtection,
    },
    async (request, reply) => {
      const body = (request.body ?? {}) as { username?: string; password?: string; next?: string };
      const name = String(body.username ?? '').trim();
      const next = safeNext(body.next);
      const users = await readUsers(options.usersFile);
      const user = await verifyUser(users, name, String(body.password ?? ''));
      if (!user) {
        await recordAudit(options.db, { username: name || '(empty)', action: 'LOGIN_FAILED', outcome: 'refused', remoteAddress: request.ip });
        request.log.info({ user: name }, 'login refused');
        return reply.code(401).type('text/html').send(loginPage(await reply.generateCsrf(), next, 'Wrong user name or password.'));
      }
      // A new session id at login, so that an id seen before the login is worth nothing after it.
      await request.session.regenerate();
      request.session.user = { name: user.name, role: user.role };
      await recordAudit(options.db, { username: user.name, action: 'LOGIN', outcome: 'ok', detail: user.role, remoteAddress: request.ip });
      request.log.info({ user: user.name, role: user.role }, 'login');
      return reply.redirect(next, 303);
    },
  );

  app.post('/logout', { preHandler: app.csrfProtection }, async (request, reply) => {
    const user = request.session.user;
    if (user) await recordAudit(options.db, { username: user.name, action: 'LOGOUT', outcome: 'ok', remoteAddress: request.ip });
    await request.session.destroy();
    return reply.redirect('/login', 303);
  });
}

/** Only a path of this site, never another origin. */
function safeNext(next: string | undefined): string {
  return typeof next === 'string' && /^\/(?![/\\])/.test(next) ? next : '/';
}

function loginPage(csrf: string, next: string, error: string | null): string {
  return page(
    { title: 'Log in' },
    html`<div class="login">
${error ? html`<p class="error" role="alert">${error}</p>` : ''}
<form method="post" action="/login">
  <input type="hidden" name="_csrf" value="${csrf}">
  <input type="hidden" name="next" value="${next}">
  <p><label for="username">User name</label><br><input id="username" name="username" type="text" autocomplete="username" required autofocus></p>
  <p><label for="password">Password</label><br><input id="password" name="password" type="password" autocomplete="current-password" required></p>
  <p><button type="submit">Log in</button></p>
</form></div>`,
  );
}

/** The logged-in user (the login hook has made sure there is one). */
export function viewerOf(request: FastifyRequest): Viewer {
  return request.session.user!;
}

/** A preHandler refusing (403) anyone but an operator, whatever the method. Refused POSTs are audited. */
export function requireOperator(db: Db) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const user = request.session.user;
    if (user?.role === 'operator') return;
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      await recordAudit(db, {
        username: user?.name ?? '(none)',
        action: 'REFUSED',
        target: `${request.method} ${request.url.split('?')[0]}`,
        outcome: 'refused: not an operator',
        remoteAddress: request.ip,
      });
    }
    request.log.info({ user: user?.name, url: request.url }, 'operator action refused');
    const csrf = await reply.generateCsrf();
    return reply
      .code(403)
      .type('text/html')
      .send(page({ title: 'Not allowed', viewer: user, csrf }, html`<p class="error" role="alert">Only an operator may do this; you are logged in as a ${user?.role ?? 'visitor'}.</p><p><a href="/">Back to the overview</a></p>`));
  };
}
