// Report a problem: the services, a form built from the chosen service's definition, the
// location (map, geolocation or address), photos, and the answer with the request's page and feed.
import * as api from "./api.js";
import { h, replace } from "./dom.js";
import { t } from "./i18n.js";
import { createMap } from "./map.js";
import * as errors from "./errors.js";

let uid = 0;
const nextID = (p) => `${p}-${++uid}`;

/** field wraps a labelled control with its hint; data-field lets errors find it. */
function field(name, labelText, control, { hint = "", required = false } = {}) {
  const id = control.id || (control.id = nextID("f"));
  const hintEl = hint ? h("p", { class: "hint", id: id + "-hint" }, hint) : null;
  if (hintEl) control.setAttribute("aria-describedby", hintEl.id);
  if (required) { control.required = true; control.setAttribute("aria-required", "true"); }
  return h("div", { class: "field", "data-field": name },
    h("label", { for: id }, labelText, required ? h("span", { class: "req" }, " " + t("required_mark")) : null), hintEl, control);
}

/** attributeField builds the control of one attribute of a service definition. */
export function attributeField(a) {
  const name = `attribute[${a.code}]`;
  if (!a.variable) return h("div", { class: "info", "data-field": "attribute-" + a.code }, h("p", {}, a.description));
  const opts = { hint: a.datatype_description, required: a.required };
  switch (a.datatype) {
    case "number":
      return field("attribute-" + a.code, a.description, h("input", { type: "number", step: "any", name, inputmode: "decimal" }), opts);
    case "datetime":
      return field("attribute-" + a.code, a.description, h("input", { type: "datetime-local", name, "data-datetime": "true" }),
        { ...opts, hint: [a.datatype_description, t("datetime_hint")].filter(Boolean).join(" ") });
    case "text":
      return field("attribute-" + a.code, a.description, h("textarea", { name, rows: 3, maxlength: 4000 }), opts);
    case "singlevaluelist":
      return field("attribute-" + a.code, a.description,
        h("select", { name }, h("option", { value: "" }, "—"), (a.values || []).map((v) => h("option", { value: v.key }, v.name))), opts);
    case "multivaluelist": {
      const hintID = nextID("hint");
      return h("fieldset", { class: "field", "data-field": "attribute-" + a.code, "aria-describedby": hintID },
        h("legend", {}, a.description, a.required ? h("span", { class: "req" }, " " + t("required_mark")) : null),
        h("p", { class: "hint", id: hintID }, [a.datatype_description, t("multi_hint")].filter(Boolean).join(" ")),
        (a.values || []).map((v) => { const id = nextID("c"); return h("div", { class: "check" },
          h("input", { type: "checkbox", id, name, value: v.key }), h("label", { for: id }, v.name)); }));
    }
    default:
      return field("attribute-" + a.code, a.description, h("input", { type: "text", name, maxlength: 1000 }), opts);
  }
}

/** reportPage renders the report form into main. */
export async function reportPage(main, ctx) {
  const services = await api.get("/services.json");
  const groups = new Map();
  for (const s of services) {
    const g = s.group || t("service_group_other");
    if (!groups.has(g)) groups.set(g, []);
    groups.get(g).push(s);
  }
  const serviceSelect = h("select", { name: "service_code" }, h("option", { value: "" }, t("service_choose")),
    [...groups].map(([g, ss]) => h("optgroup", { label: g }, ss.map((s) => h("option", { value: s.service_code }, s.service_name)))));
  const serviceDesc = h("p", { class: "hint", "aria-live": "polite" });
  const details = h("div", { class: "details" });
  const lat = h("input", { type: "text", name: "lat", inputmode: "decimal", autocomplete: "off" });
  const lon = h("input", { type: "text", name: "long", inputmode: "decimal", autocomplete: "off" });
  const status = h("p", { class: "hint", role: "status" });
  const map = createMap({ center: ctx.config.center, zoom: 14, tileURL: ctx.config.tile_url, attribution: ctx.config.tile_attribution,
    onPick: (la, lo) => { lat.value = la; lon.value = lo; status.textContent = t("map_set_point"); } });
  const geo = h("button", { type: "button", onclick: () => {
    if (!navigator.geolocation) { status.textContent = t("location_unsupported"); return; }
    status.textContent = t("locating");
    navigator.geolocation.getCurrentPosition((p) => {
      lat.value = p.coords.latitude.toFixed(6); lon.value = p.coords.longitude.toFixed(6);
      map.setPick(+lat.value, +lon.value); status.textContent = t("location_found");
    }, (err) => { status.textContent = t("location_failed", { reason: err.message }); }, { enableHighAccuracy: true, timeout: 15000 });
  } }, t("use_my_location"));
  for (const i of [lat, lon]) i.addEventListener("change", () => { if (+lat.value && +lon.value) map.setPick(+lat.value, +lon.value); });
  const summary = h("div", { class: "form-errors", tabindex: "-1", role: "alert" });
  const submit = h("button", { type: "submit", class: "primary" }, t("submit_report"));
  const form = h("form", { class: "report", novalidate: true },
    summary,
    field("service_code", t("service_label"), serviceSelect, { required: true }), serviceDesc,
    h("fieldset", { class: "group" }, h("legend", {}, t("details_legend")), details,
      field("description", t("description_label"), h("textarea", { name: "description", rows: 4, maxlength: 4000 }), { hint: t("description_hint") })),
    h("fieldset", { class: "group", "data-field": "location" }, h("legend", {}, t("location_legend")),
      h("p", { class: "hint" }, t("location_hint")), map.el, h("div", { class: "row" }, geo, status),
      h("div", { class: "row" }, field("lat", t("lat_label"), lat), field("long", t("long_label"), lon)),
      field("address_string", t("address_label"), h("input", { type: "text", name: "address_string", autocomplete: "street-address" }))),
    field("media", t("photos_label"), h("input", { type: "file", name: "media", multiple: true, accept: "image/jpeg,image/png,image/webp,image/gif" }), { hint: t("photos_hint") }),
    field("email", t("email_label"), h("input", { type: "email", name: "email", autocomplete: "email" }), { hint: t("email_hint") }),
    submit);
  serviceSelect.addEventListener("change", async () => {
    const s = services.find((x) => x.service_code === serviceSelect.value);
    serviceDesc.textContent = s ? s.description || "" : "";
    replace(details);
    if (!s || !s.metadata) return;
    try {
      const def = await api.get(`/services/${encodeURIComponent(s.service_code)}.json`);
      const attrs = [...def.attributes].sort((a, b) => a.order - b.order);
      replace(details, attrs.map(attributeField));
    } catch (e) {
      errors.show(form, e);
    }
  });
  // One Idempotency-Key per report: a retry after a lost connection cannot file it twice.
  let idem = crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2);
  form.addEventListener("input", () => { idem = crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2); });
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    errors.clear(form);
    const data = new FormData();
    for (const el of form.elements) {
      if (!el.name || el.disabled) continue;
      if (el.type === "file") { for (const f of el.files) data.append("media", f, f.name); continue; }
      if (el.type === "checkbox") { if (el.checked) data.append(el.name, el.value); continue; }
      let v = el.value.trim();
      if (!v) continue;
      if (el.dataset.datetime) { const d = new Date(v); if (!isNaN(d)) v = d.toISOString(); }
      data.append(el.name, v);
    }
    submit.disabled = true;
    submit.textContent = t("sending");
    try {
      const [answer] = await api.post("/requests.json", data, ctx.config.reporter_key, idem);
      await done(main, answer);
    } catch (e) {
      errors.show(form, e);
    } finally {
      submit.disabled = false;
      submit.textContent = t("submit_report");
    }
  });
  // A deployment without a reporter key (WebAppReporterKey unset) cannot file reports: say so.
  if (!ctx.config.reporter_key) {
    submit.disabled = true;
    summary.append(h("p", {}, t("report_no_key")));
  }
  replace(main, h("h1", {}, t("report_heading")), h("p", {}, t("report_intro")), form);
}

async function done(main, answer) {
  const parts = [h("h1", { tabindex: "-1", id: "done" }, t("report_sent"))];
  if (answer.service_notice) parts.push(h("p", { class: "notice" }, answer.service_notice));
  const id = answer.service_request_id;
  if (id) {
    parts.push(h("p", {}, t("report_id", { id })));
    const links = [h("li", {}, h("a", { href: `#/requests/${encodeURIComponent(id)}`, id: "request-link" }, t("report_page_link")))];
    try {
      const [r] = await api.get(`/requests/${encodeURIComponent(id)}.json`, { extensions: "true" });
      const feed = r.extended_attributes && r.extended_attributes.feed_url;
      if (feed) links.push(h("li", {}, h("a", { href: feed, id: "feed-link", type: "application/atom+xml" }, t("report_feed_link"))));
    } catch { /* the page link is enough */ }
    parts.push(h("ul", {}, links));
  } else if (answer.token) {
    parts.push(h("p", {}, t("report_token", { token: answer.token })));
  } else {
    parts.push(h("p", {}, t("report_private")));
  }
  parts.push(h("p", {}, h("a", { href: "#/", onclick: () => setTimeout(() => window.dispatchEvent(new HashChangeEvent("hashchange"))) }, t("report_another"))));
  replace(main, parts);
  main.querySelector("#done").focus();
}
