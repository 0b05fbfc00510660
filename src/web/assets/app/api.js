// The JSON API with the bearer token this tab keeps in sessionStorage.
import { say } from "./notice.js";
import { S } from "./strings.js";

const TOKEN_KEY = "certsvc.token";

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

export const token = () => sessionStorage.getItem(TOKEN_KEY);
export const keepToken = (value) => sessionStorage.setItem(TOKEN_KEY, value);
export const forgetToken = () => sessionStorage.removeItem(TOKEN_KEY);

let unauthorized = () => {};
/** What to do when the API refuses the token (the session module signs out). */
export function onUnauthorized(handler) {
  unauthorized = handler;
}

export async function request(method, path, body) {
  let response;
  try {
    response = await fetch(path, {
      method,
      headers: {
        authorization: `Bearer ${token()}`,
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
    throw new ApiError(response.status, problem);
  }
  return response;
}

export const api = async (method, path, body) => (await request(method, path, body)).json();

/** Runs an action and shows its problem, if any, in the live region. */
export async function attempt(action) {
  try {
    return await action();
  } catch (error) {
    say(error instanceof ApiError ? error.message : String(error), true);
    return undefined;
  }
}
