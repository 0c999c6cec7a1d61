// The REST API under /api/v1, as the pages call it, with the tab's API token. Every failure
// becomes an ApiError that carries what the server said (the problem's title and detail), so the
// page can show it.

/** A refused or failed request: the server's problem detail, or why the server was not reached. */
export class ApiError extends Error {
  constructor(status, title, detail) {
    super(detail);
    this.status = status;
    this.title = title;
    this.detail = detail;
  }
}

const TOKEN_KEY = 'strata.apiToken';
let signInNeeded = () => {};

/**
 * The API token this tab signed in with. It lives in sessionStorage: it goes when the tab is
 * closed, and no other site can read it, so a page elsewhere cannot act with it.
 */
export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(value) {
  sessionStorage.setItem(TOKEN_KEY, value);
}

export function forgetToken() {
  sessionStorage.removeItem(TOKEN_KEY);
}

/** What to do when the API wants a token: there is none yet, or the server no longer takes it. */
export function whenSignInNeeded(handler) {
  signInNeeded = handler;
}

/** Path segments are names chosen by users: each is encoded on its own. */
export function path(...segments) {
  return segments.map((s) => encodeURIComponent(s)).join('/');
}

/**
 * Sends one request and returns the JSON answer (null for 204). POST and PUT always send
 * Content-Type: application/json, even without a body: the server requires it of every change.
 */
export async function call(method, url, body) {
  const current = token();
  if (!current) {
    signInNeeded(); // nothing is sent without a token: it would only be refused
    throw new ApiError(401, 'Sign in', 'Sign in with an API token of this server to use it.');
  }
  const init = { method, headers: { Accept: 'application/json, application/problem+json', Authorization: `Bearer ${current}` },
    cache: 'no-store' };
  if (method === 'POST' || method === 'PUT') {
    init.headers['Content-Type'] = 'application/json';
    init.body = body === undefined ? '' : JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch('/api/v1/' + url, init);
  } catch (e) {
    throw new ApiError(0, 'Cannot reach the Strata server',
      `${method} /api/v1/${url} got no answer (${e.message}): check that strata server is running, then retry`);
  }
  const text = await response.text();
  let json = null;
  if (text) {
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
  }
  if (response.status === 401) {
    forgetToken();
    signInNeeded();
  }
  if (!response.ok) {
    if (json && typeof json.detail === 'string') {
      throw new ApiError(response.status, json.title || `HTTP ${response.status}`, json.detail);
    }
    throw new ApiError(response.status, `HTTP ${response.status} ${response.statusText}`.trim(),
      text ? text.slice(0, 300) : `${method} /api/v1/${url} failed without a message`);
  }
  return json;
}

export const get = (url) => call('GET', url);
export const post = (url, body) => call('POST', url, body);
export const put = (url, body) => call('PUT', url, body);
export const del = (url) => call('DELETE', url);
