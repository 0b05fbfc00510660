// The JSON API with the bearer token this tab keeps in sessionStorage.
import { say } from "./notice.js";
import { lang, S } from "./strings.js";

const TOKEN_KEY = "certsvc.token";

/** A refused request: the problem's sentence in the page's language, and its code. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problemText(problem) || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
    this.code = problem?.code ?? null;
  }
}

/**
 * The server writes `detail` in the language asked for (Accept-Language); the page's own
 * sentence for the code stands in when the server answered in another language.
 */
export function problemText(problem, language) {
  if (!problem) return "";
  const own = problem.code ? S.problems?.[problem.code] : undefined;
  if (own && language && language !== lang) return own;
  return problem.detail || own || problem.title || "";
}

export const token = () => sessionStorage.getItem(TOKEN_KEY);
export const keepToken = (value) => sessionStorage.setItem(TOKEN_KEY, value);
export const forgetToken = () => sessionStorage.removeItem(TOKEN_KEY);

let unauthorized = () => {};
/** What to do when the API refuses the token (the session module signs out). */
export function onUnauthorized(handler) {
  unauthorized = handler;
}

export const authHeaders = () => ({ authorization: `Bearer ${token()}`, "accept-language": lang });

export async function request(method, path, body) {
  let response;
  try {
    response = await fetch(path, {
      method,
      headers: {
        ...authHeaders(),
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch {
    throw new ApiError(0, { detail: S.networkError });
  }
  if (response.status === 401) {
    unauthorized();
    throw new ApiError(401, { detail: S.sessionExpired });
  }
  if (!response.ok) {
    let problem = null;
    try {
      problem = await response.json();
    } catch {
      // not a problem document: the status says enough
    }
    const error = new ApiError(response.status, problem);
    error.message = problemText(problem, response.headers.get("content-language")) || error.message;
    throw error;
  }
  return response;
}

export const api = async (method, path, body) => {
  const response = await request(method, path, body);
  return response.status === 204 ? null : response.json();
};

/** Runs an action and shows its problem, if any, in the message region `where` (an id). */
export async function attempt(action, where = "notice") {
  try {
    return await action();
  } catch (error) {
    say(error instanceof ApiError ? error.message : String(error), true, where);
    return undefined;
  }
}
