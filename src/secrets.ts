/**
 * Hiding secrets in text shown to people (error messages, logs): the password of a URL's user part, and
 * the value of every key that names a secret in a `key=value` connection string (`Password=`,
 * `AccountKey=`, `SharedAccessSignature=`, libpq's `password=`…). Masking too much is safe; masking too
 * little is a leak, so where the end of a secret is ambiguous the longer reading wins.
 */

const MASK = '***';

/** Keys whose values are secrets: `Password`, `Pwd`, `AccountKey`, `SharedAccessKey`, `ClientSecret`, `sig`, `token`… */
const SECRET_KEY = String.raw`(?:[A-Za-z_][\w.-]*?)?(?:password|passwd|pwd|secret|token|key|signature)|sig|pass`;

/**
 * A whole connection string as it may be shown. A URL keeps its user name and loses what follows the
 * `:` up to the `@` that ends the user part; a `key=value` string loses every secret key's value, quoted
 * or not, up to its `;` (or, in libpq's space-separated form, its white space).
 */
export function redactConnectionString(connectionString: string): string {
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.exec(connectionString);
  if (scheme) return redactUrlCredentials(connectionString, scheme[0].length);
  return maskKeyValues(connectionString, connectionString.includes(';') ? ';' : 'whitespace');
}

/**
 * Any text that may quote connection strings (an error message, a stack trace): URL passwords and
 * `key=value` secrets are masked wherever they appear. A quoted string cannot be told apart from the
 * text around it, so a password with white space is masked only up to its first space here: code that
 * prints a connection string masks it whole with redactConnectionString first.
 */
export function redactSecrets(text: string): string {
  const urls = text.replace(
    // The password runs to the last '@' before white space or a '/', so 'p@ss' is masked whole.
    /(\b[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s/@:'"]*:)[^\s/]*@/g,
    (_match, user: string) => `${user}${MASK}@`,
  );
  return maskKeyValues(urls, 'any');
}

/**
 * After `scheme://`, the user part ends at the last '@' of the authority (which ends at the first '/',
 * '?' or '#', as a URL parser reads it); when the authority has no '@' but the rest does, the password
 * itself holds one of those characters, and the last '@' of the string ends it.
 */
function redactUrlCredentials(connectionString: string, authorityStart: number): string {
  const rest = connectionString.slice(authorityStart);
  const authorityEnd = rest.search(/[/?#]/);
  const authority = authorityEnd === -1 ? rest : rest.slice(0, authorityEnd);
  let at = authority.lastIndexOf('@');
  if (at === -1) at = rest.lastIndexOf('@');
  if (at === -1) return connectionString;
  const colon = rest.slice(0, at).indexOf(':');
  if (colon === -1) return connectionString;
  return `${connectionString.slice(0, authorityStart)}${rest.slice(0, colon + 1)}${MASK}${rest.slice(at)}`;
}

/**
 * `Password=…` values: a quoted value ('…' or "…", libpq's backslash escapes and ADO's doubled quotes
 * included) is masked to its closing quote; a bare one to the separator: `;` in ADO-style strings,
 * white space in libpq's; in free text, any of those, `&` (a URL's query) or a quote (the text's own).
 */
function maskKeyValues(text: string, separator: ';' | 'whitespace' | 'any'): string {
  const bare = { ';': '[^;]*', whitespace: String.raw`\S*`, any: String.raw`[^;&\s'"]*` }[separator];
  const value = String.raw`(?:'(?:\\.|''|[^'\\])*'?|"(?:""|[^"])*"?|${bare})`;
  const pattern = new RegExp(String.raw`(^|[^\w.-])(${SECRET_KEY})(\s*=\s*)${value}`, 'gi');
  return text.replace(pattern, (_match, before: string, key: string, equals: string) => `${before}${key}${equals}${MASK}`);
}
