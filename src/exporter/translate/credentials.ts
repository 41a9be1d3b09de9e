/**
 * Removing passwords from connection strings and URLs before anything is recorded: X-Ray keeps
 * documents for 30 days and shows them to everyone who can read traces.
 */

/** `scheme://…`, JDBC's `jdbc:subprotocol://…` included. */
export const URL_SHAPED = /^[a-z][a-z0-9+.-]*(?::[a-z][a-z0-9+.-]*)*:\/\//i;

// Credential patterns. Each runs in linear time: no nested quantifiers, and the key of the
// key=value pattern cannot cross a separator.
/** `scheme://userinfo@`: up to the last `@` before the query, as passwords may hold `@` and `/`. */
const URL_USERINFO = /^([a-z][a-z0-9+.-]*(?::[a-z][a-z0-9+.-]*)*:\/\/)[^?#]*@/i;
/** Oracle thin/OCI: `jdbc:oracle:thin:user/password@host…`. */
const ORACLE_USERINFO = /^(jdbc:oracle:[a-z0-9]+:)[^@]*@/i;
/** Scheme-less `user/password@service` (Oracle EZConnect) and `user:password@host`. */
const BARE_USERINFO = /^[^\s/@:;=?&]+[/:][^@\s;]*@/;
/**
 * `…password=value` pairs separated by `;` (ADO.NET, ODBC, JDBC properties) or `&`/`?` (URL
 * query). Values may be quoted ("…", '…', {…}); the pair and its separator are removed.
 */
const KEY_VALUE_SECRET =
  /(^|[;?&])[^;?&=]*?(?:password|pwd|passwd)\s*=\s*(?:"(?:[^"]|"")*"|'(?:[^']|'')*'|\{(?:[^}]|\}\})*\})?[^;&]*[;&]?/gi;
/** libpq's space-separated `password=value` (value possibly single-quoted). */
const LIBPQ_SECRET = /(^|\s)\w*(?:password|pwd|passwd)\s*=\s*(?:'(?:[^'\\]|\\.)*'|\S*)/gi;

/** Quoted literals after `PASSWORD`, `PASSWORD FOR x =`, `IDENTIFIED [WITH plugin] BY` in query text. */
const QUERY_QUOTED_SECRET =
  /\b(password(?:\s+for\s+\S+)?|identified(?:\s+with\s+\S+)?\s+by)(\s*=?\s*)(?:'(?:[^'\\]|\\.|'')*'|"(?:[^"\\]|\\.|"")*")/gi;
/** Oracle's unquoted `IDENTIFIED BY secret`. */
const QUERY_BARE_SECRET = /\b(identified\s+by\s+)(?!['"?])[^\s;,)]+/gi;

/**
 * `s` without credentials: URL userinfo (`user:password@`), Oracle `user/password@`, and every
 * `password=`/`pwd=` pair in any case. The user name goes too where it is glued to the password;
 * `db.user` carries it separately.
 */
export function stripCredentials(s: string): string {
  let out = s.replace(KEY_VALUE_SECRET, '$1').replace(LIBPQ_SECRET, '$1');
  if (URL_SHAPED.test(out)) out = out.replace(URL_USERINFO, '$1');
  else if (ORACLE_USERINFO.test(out)) out = out.replace(ORACLE_USERINFO, '$1@');
  else out = out.replace(BARE_USERINFO, '');
  return out.trim();
}

/** Query text with password literals (`ALTER USER … PASSWORD '…'`, `IDENTIFIED BY …`) replaced by `?`. */
export function scrubQuery(query: string): string {
  return query.replace(QUERY_QUOTED_SECRET, '$1$2?').replace(QUERY_BARE_SECRET, '$1?');
}

/**
 * A URL without its userinfo (`https://user:secret@host/` → `https://host/`). Most URLs have no
 * `@` at all, so they are returned untouched without running a regex.
 */
export function stripUrlUserinfo(url: string): string {
  return url.includes('@') ? url.replace(HTTP_USERINFO, '$1') : url;
}

/** In a well-formed URL the userinfo ends before the first `/`, so an `@` in the path is left alone. */
const HTTP_USERINFO = /^([a-z][a-z0-9+.-]*:\/\/)[^/?#@]*@/i;

/** Attributes whose values may embed credentials wherever they end up (a block or metadata). */
export const CREDENTIAL_BEARING_KEYS: ReadonlySet<string> = new Set([
  'db.connection_string',
  'url.full',
  'http.url',
]);
