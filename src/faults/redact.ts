/** A URL as it may be shown: its password replaced by ***. Never throws. */
export function redactUrl(url: string | undefined): string {
  if (!url) return '';
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return redactSecrets(url);
  }
}

/** Any text with `scheme://user:password@` passwords replaced by ***, parseable or not. */
export function redactSecrets(text: string): string {
  return text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@"']*):[^\s@"']*@/gi, '$1:***@');
}
