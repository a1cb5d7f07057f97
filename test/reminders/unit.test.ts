import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { matchHeader } from '../../src/domain/importHeader.ts';
import { checkEmail } from '../../src/domain/importValues.ts';
import { serverMessageId } from '../../src/reminders/mailer.ts';
import { londonDeadline, londonDay, messageIdFor } from '../../src/reminders/message.ts';

describe('reminders: pure parts', () => {
  it('checks an address for form', () => {
    expect(checkEmail('Asha.Patel+cet@Example.CO.UK')).toBe('Asha.Patel+cet@example.co.uk');
    for (const bad of ['asha', 'asha@', '@example.com', 'asha@example', 'a b@example.com', 'Asha <a@example.com>', 'a@example.com,b@example.com', 'a..b@example.com', '.a@example.com', `${'a'.repeat(250)}@example.com`]) {
      expect(checkEmail(bad), bad).toBeNull();
    }
  });

  it('lets an optional column be left out of a header', () => {
    expect(matchHeader(['b', 'a'], ['a', 'b', 'email'], ['email'])).toEqual({ ok: true, positions: [1, 0, -1], width: 2 });
    expect(matchHeader(['b'], ['a', 'b', 'email'], ['email'])).toEqual({ ok: false, problems: ['missing column "a"'] });
  });

  it('writes deadlines in London time with the weekday, in winter and in summer', () => {
    expect(londonDeadline(new Date('2021-12-30T12:00:00Z'), 'Europe/London')).toBe('12:00 on Thursday 30 December 2021');
    expect(londonDeadline(new Date('2021-07-01T11:00:00Z'), 'Europe/London')).toBe('12:00 on Thursday 1 July 2021');
    expect(londonDay('2021-12-31')).toBe('Friday 31 December 2021');
  });

  it('derives the Message-ID from the key alone', () => {
    const key = { kind: 'PEER_CONFIRMATION' as const, registrantId: 7, cycleId: 1, dueAt: new Date('2021-11-08T10:00:00Z') };
    const id = messageIdFor(key, 'CET <cet@provider.example>');
    expect(id).toMatch(/^<reminder\.peer-confirmation\.[0-9a-f]{32}@provider\.example>$/);
    expect(messageIdFor({ ...key }, 'cet@provider.example')).toBe(id);
    expect(messageIdFor({ ...key, dueAt: new Date('2021-11-13T10:00:00Z') }, 'cet@provider.example')).not.toBe(id);
  });

  it("reads the server's id from its reply", () => {
    expect(serverMessageId('250 2.0.0 Ok: queued as 4F1A2B3C')).toBe('4F1A2B3C');
    expect(serverMessageId('250 Accepted')).toBe('250 Accepted');
  });

  it('never prints SMTP_URL, which may hold a password', () => {
    try {
      loadConfig({ SMTP_URL: 'http://user:s3cret@mail.example.com' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toContain('SMTP_URL: not an smtp or smtps URL');
      expect((error as Error).message).not.toContain('s3cret');
    }
  });
});
