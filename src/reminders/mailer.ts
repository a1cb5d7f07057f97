import nodemailer from 'nodemailer';

/** One plain-text message to one address. */
export interface OutgoingMail {
  from: string;
  to: string;
  subject: string;
  text: string;
  messageId: string;
}

export interface Mailer {
  /** Resolves with the server's reply once it has accepted the message. */
  send(mail: OutgoingMail): Promise<{ response: string }>;
  close(): void;
}

/** SMTP through nodemailer; `url` is SMTP_URL (smtp:// or smtps://, credentials inside). */
export function smtpMailer(url: string): Mailer {
  const transport = nodemailer.createTransport(url);
  return {
    async send(mail) {
      const info = await transport.sendMail({
        from: mail.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        messageId: mail.messageId,
        // Plain text only, nothing else.
        textEncoding: 'quoted-printable',
      });
      return { response: String(info.response ?? '') };
    },
    close() {
      transport.close();
    },
  };
}

/** The server's id for the accepted message from its reply ("250 2.0.0 Ok: queued as 4F1A2"), or the whole reply. */
export function serverMessageId(response: string): string {
  const queued = /queued as\s+<?([^\s>]+)>?/i.exec(response);
  return queued ? queued[1]! : response.trim();
}

/** An SMTP error in one line, without anything from the URL (credentials). */
export function describeSmtpError(error: unknown): string {
  const e = error as { responseCode?: number; response?: string; code?: string; message?: string };
  if (e?.responseCode) return `${e.responseCode} ${String(e.response ?? e.message ?? '').replace(/\s+/g, ' ').trim()}`.slice(0, 500);
  return `${e?.code ?? 'ERROR'} ${String(e?.message ?? error).replace(/\s+/g, ' ')}`.slice(0, 500);
}
