// Shows the server's error documents next to the field each concerns. The error document has no
// field name, so the description's words say which (docs/wire.md's descriptions name the field).
import { h, replace } from "./dom.js";
import { t } from "./i18n.js";
import { ApiError, NetworkError } from "./api.js";

/** fieldOf names the field an error description concerns, or "" for the form as a whole. */
export function fieldOf(description) {
  const d = description.toLowerCase();
  let m = description.match(/attribute "([^"]+)"/);
  if (m) return "attribute-" + m[1];
  if (/^photo|photos|file part|request body is larger/.test(d)) return "media";
  if (/^(lat|long|a location)\b|lat and long|latitude|longitude/.test(d)) return "location";
  if (/address_id/.test(d)) return "address_id";
  if (/address/.test(d)) return "address_string";
  if (/service_code|service with the code/.test(d)) return "service_code";
  for (const f of ["description", "email", "agency_responsible", "expected_datetime", "status_notes", "comment", "status"]) {
    if (d.startsWith(f) || d.includes(f + " ")) return f;
  }
  if (/api_key/.test(d)) return "api_key";
  return "";
}

/** clear removes a form's error messages. */
export function clear(form) {
  for (const el of form.querySelectorAll(".field-error")) el.remove();
  for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
  const s = form.querySelector(".form-errors");
  if (s) replace(s);
}

/**
 * show puts each error of e next to its field in form (the element with data-field=name), and a
 * summary at the top, which takes the focus so a screen reader reads it. A lost connection says
 * so; what the user typed stays.
 */
export function show(form, e) {
  clear(form);
  const summary = form.querySelector(".form-errors");
  if (e instanceof NetworkError) {
    summary.append(h("p", {}, t("offline")));
    summary.focus();
    return;
  }
  const errors = e instanceof ApiError ? e.errors : [{ description: String(e.message || e) }];
  summary.append(h("p", {}, t("errors_heading")), h("ul", {}, errors.map((x) => h("li", {}, x.description))));
  for (const x of errors) {
    const name = fieldOf(x.description);
    const box = name && form.querySelector(`[data-field="${CSS.escape(name)}"]`);
    if (!box) continue;
    const id = `err-${name}-${Math.random().toString(36).slice(2, 8)}`;
    box.append(h("p", { class: "field-error", id }, x.description));
    const input = box.querySelector("input, select, textarea");
    if (input) {
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", [input.getAttribute("aria-describedby"), id].filter(Boolean).join(" "));
    }
  }
  summary.focus();
}
