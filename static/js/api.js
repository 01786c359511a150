// The JSON API client: one fetch wrapper that adds the token, parses JSON or
// text, and turns every non-2xx answer into an ApiError carrying the server's
// {"error": "..."} message and body (a 409 carries the active job's id).

const TOKEN_KEY = 'scribe.token';

export class ApiError extends Error {
  constructor(status, message, body = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.body = body;
  }
}

const FALLBACK_MESSAGES = {
  0: 'The server could not be reached. Check the connection and try again.',
  400: 'The request was not accepted.',
  401: 'Your token was not accepted.',
  403: 'You are not allowed to do that.',
  404: 'Not found.',
  409: 'That is not possible in the current state.',
  413: 'The request is too large.',
  502: 'The server is not answering right now (502). Try again in a moment.',
  503: 'The service is temporarily unavailable (503). Try again in a moment.',
  504: 'The server took too long to answer (504). Try again in a moment.',
};

export function fallbackMessage(status) {
  return FALLBACK_MESSAGES[status] || `The server answered with an error (${status}).`;
}

/** Build an API URL relative to the page, so Scribe also works under a sub-path. */
export function apiUrl(path) {
  return new URL(path.replace(/^\//, ''), document.baseURI).toString();
}

/** Encode each segment of a page path, keeping the slashes between them. */
export function encodePath(path) {
  return path.split('/').map(encodeURIComponent).join('/');
}

export class Api {
  constructor() {
    this.token = sessionStorage.getItem(TOKEN_KEY);
    /** Called once per 401 on a signed-in request (the token stopped working). */
    this.onUnauthorized = null;
  }

  setToken(token) {
    this.token = token;
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
  }

  /**
   * Send one request. Resolves to {status, headers, body} for 2xx and 304;
   * rejects with ApiError otherwise. body is parsed JSON for JSON answers,
   * a string for anything else, null when empty.
   */
  async request(method, path, { body, token, headers, accept, signal } = {}) {
    const useToken = token !== undefined ? token : this.token;
    const h = new Headers(headers || {});
    h.set('Accept', accept || 'application/json');
    if (useToken) h.set('Authorization', `Bearer ${useToken}`);
    const init = { method, headers: h, cache: 'no-store', credentials: 'same-origin', signal };
    if (body !== undefined) {
      h.set('Content-Type', 'application/json');
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(apiUrl(path), init);
    } catch (err) {
      if (err && err.name === 'AbortError') throw err;
      throw new ApiError(0, fallbackMessage(0));
    }
    if (response.status === 304) return { status: 304, headers: response.headers, body: null };
    const parsed = await readBody(response);
    if (!response.ok) {
      const message =
        parsed && typeof parsed === 'object' && typeof parsed.error === 'string' && parsed.error
          ? parsed.error
          : fallbackMessage(response.status);
      const error = new ApiError(response.status, message, typeof parsed === 'object' ? parsed : null);
      if (response.status === 401 && token === undefined && this.token && this.onUnauthorized) {
        this.onUnauthorized(error);
      }
      throw error;
    }
    return { status: response.status, headers: response.headers, body: parsed };
  }

  get(path, options) {
    return this.request('GET', path, options);
  }
  post(path, body, options) {
    return this.request('POST', path, { ...options, body: body === undefined ? {} : body });
  }
  delete(path, options) {
    return this.request('DELETE', path, options);
  }
}

async function readBody(response) {
  const type = (response.headers.get('Content-Type') || '').toLowerCase();
  let text;
  try {
    text = await response.text();
  } catch {
    return null;
  }
  if (text === '') return null;
  if (type.includes('json')) {
    try {
      return JSON.parse(text);
    } catch {
      return text; // mislabelled: keep the text rather than lose it
    }
  }
  return text;
}
