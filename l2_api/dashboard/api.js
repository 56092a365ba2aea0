// The one way the dashboard talks to hoc: the public API under /api/v1 on
// this origin, with the credential of this tab. Every answer is the
// envelope {success, data, meta, error}; a failure becomes an APIError that
// carries the server's own message.

const storageKey = "hoc.credential";

/** The credential signed in on this tab, or null. */
export function credential() {
  return sessionStorage.getItem(storageKey);
}

/** Keeps the credential for this tab only: sessionStorage dies with it. */
export function saveCredential(value) {
  sessionStorage.setItem(storageKey, value);
}

export function forgetCredential() {
  sessionStorage.removeItem(storageKey);
}

/** An API key is sent as X-AOS-Key, anything else as a bearer token. */
export function isAPIKey(value) {
  return value.startsWith("aos_");
}

export class APIError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details || {};
  }
}

/**
 * call sends one request and resolves to {data, meta}. query values that
 * are empty are left out, so a blank filter means "no filter".
 */
export async function call(method, path, { query = {}, body, as } = {}) {
  const url = new URL(path, location.origin);
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== "") url.searchParams.set(k, String(v));
  }
  const secret = as ?? credential();
  const headers = { Accept: "application/json" };
  if (secret) {
    if (isAPIKey(secret)) headers["X-AOS-Key"] = secret;
    else headers.Authorization = "Bearer " + secret;
  }
  const init = { method, headers, credentials: "omit", cache: "no-store" };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let resp;
  try {
    resp = await fetch(url, init);
  } catch {
    throw new APIError(0, "NETWORK", "The server could not be reached.");
  }
  let envelope;
  try {
    envelope = await resp.json();
  } catch {
    throw new APIError(resp.status, "INVALID_RESPONSE", `The server answered HTTP ${resp.status} without a JSON body.`);
  }
  if (!resp.ok || !envelope.success) {
    const e = envelope.error || {};
    const err = new APIError(resp.status, e.code, e.message || `HTTP ${resp.status}`, e.details);
    if (resp.status === 401 && !as) window.dispatchEvent(new CustomEvent("hoc:unauthorized", { detail: err }));
    throw err;
  }
  return { data: envelope.data, meta: envelope.meta };
}
