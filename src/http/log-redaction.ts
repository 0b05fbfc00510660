/**
 * The path of a request as the log shows it: never the query string (where the public pages
 * carry a verification code and a claimed name), and never a share link's token (which is the
 * link itself).
 */
const TOKEN_PATHS = /^(\/s|\/v1\/shared)\/[^/?#]+/;

export function loggedPath(url: string): string {
  const path = url.split("?")[0] ?? "";
  return path.replace(TOKEN_PATHS, "$1/[redacted]");
}
