// Calls to the GeoReport v2 API (docs/wire.md): JSON format, keys in the form body of a POST or
// as Authorization: Bearer on a GET, errors as the error document [{code, description}].
import { language } from "./i18n.js";

let config = {};

/** configure sets the deployment's config (config.json). */
export function configure(c) {
  config = c;
}

/** ApiError is a refused call: its HTTP status and the error document's errors. */
export class ApiError extends Error {
  constructor(status, errors) {
    super(errors.map((e) => e.description).join("; ") || `HTTP ${status}`);
    this.status = status;
    this.errors = errors;
  }
}

/** NetworkError is a call that never got an answer (offline, server down). */
export class NetworkError extends Error {}

/** url is the API's URL of path with params (jurisdiction_id added when configured). */
export function url(path, params = {}) {
  const u = new URL((config.api_base || "") + path, location.href);
  if (config.jurisdiction_id) u.searchParams.set("jurisdiction_id", config.jurisdiction_id);
  // Answers in the page's language (the API falls back to the jurisdiction's default).
  u.searchParams.set("locale", language());
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== "") u.searchParams.set(k, v);
  }
  return u.toString();
}

async function call(u, init) {
  let resp;
  try {
    resp = await fetch(u, init);
  } catch (e) {
    throw new NetworkError(e.message);
  }
  let body = null;
  const text = await resp.text();
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!resp.ok) {
    const errors = Array.isArray(body) ? body : [{ code: resp.status, description: (body && body.message) || `HTTP ${resp.status}` }];
    throw new ApiError(resp.status, errors);
  }
  return body;
}

/** get reads path (e.g. "/services.json"); a staff key goes in the Authorization header. */
export function get(path, params = {}, key = "") {
  const headers = key ? { Authorization: `Bearer ${key}` } : {};
  return call(url(path, params), { headers });
}

/** post sends form (a FormData or URLSearchParams) to path with key as the form's api_key. */
export function post(path, form, key, idempotencyKey = "") {
  form.set("api_key", key);
  if (config.jurisdiction_id) form.set("jurisdiction_id", config.jurisdiction_id);
  const headers = {};
  // Idempotency-Key is a custom header, which the API's CORS configuration allows from the
  // CDN's origin too (template.yaml, pkg/gateway): a retry is never a second report.
  if (idempotencyKey) headers["Idempotency-Key"] = idempotencyKey;
  return call(new URL((config.api_base || "") + path, location.href).toString(), { method: "POST", body: form, headers });
}
