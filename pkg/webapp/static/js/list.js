// The public list and map of recent requests, filtered by service and status. No key.
import * as api from "./api.js";
import { h, replace, formatTime } from "./dom.js";
import { t } from "./i18n.js";
import { createMap } from "./map.js";

/** listPage renders the list; the filters live in the hash's query (#/requests?service_code=..). */
export async function listPage(main, ctx) {
  const q = new URLSearchParams((location.hash.split("?")[1]) || "");
  const services = await api.get("/services.json");
  const service = h("select", { id: "f-service", name: "service_code" }, h("option", { value: "" }, t("list_service_all")),
    services.map((s) => h("option", { value: s.service_code, selected: q.get("service_code") === s.service_code }, s.service_name)));
  const status = h("select", { id: "f-status", name: "status" }, h("option", { value: "" }, t("list_status_all")),
    ["open", "closed"].map((s) => h("option", { value: s, selected: q.get("status") === s }, t("status_" + s))));
  const results = h("div", { "aria-live": "polite" });
  const map = createMap({ center: ctx.config.center, zoom: 13, tileURL: ctx.config.tile_url, attribution: ctx.config.tile_attribution });
  const form = h("form", { class: "filters", role: "search", "aria-label": t("list_filters") },
    h("div", { class: "field" }, h("label", { for: "f-service" }, t("list_service")), service),
    h("div", { class: "field" }, h("label", { for: "f-status" }, t("list_status")), status),
    h("button", { type: "submit" }, t("list_apply")));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const p = new URLSearchParams();
    if (service.value) p.set("service_code", service.value);
    if (status.value) p.set("status", status.value);
    location.hash = "#/requests" + (p.size ? "?" + p : "");
  });
  replace(main, h("h1", {}, t("list_heading")), form, map.el,
    ctx.config.feed_url ? h("p", {}, h("a", { href: ctx.config.feed_url, type: "application/atom+xml" }, t("list_feed"))) : null, results);
  const rs = await api.get("/requests.json", { service_code: q.get("service_code"), status: q.get("status"), page_size: 200 });
  map.setMarkers(rs.filter((r) => r.lat != null).map((r) => ({ lat: r.lat, lon: r.long, href: `#/requests/${encodeURIComponent(r.service_request_id)}`,
    label: t("map_marker", { id: r.service_request_id, service: r.service_name }) })));
  map.fit();
  if (!rs.length) { replace(results, h("p", {}, t("list_empty"))); return; }
  replace(results, h("p", {}, t("list_count", { n: rs.length })),
    h("table", { class: "requests" },
      h("thead", {}, h("tr", {}, ["list_col_id", "list_col_service", "list_col_status", "list_col_address", "list_col_requested"].map((k) => h("th", { scope: "col" }, t(k))))),
      h("tbody", {}, rs.map((r) => h("tr", {},
        h("td", {}, h("a", { href: `#/requests/${encodeURIComponent(r.service_request_id)}` }, r.service_request_id)),
        h("td", {}, r.service_name), h("td", {}, h("span", { class: `badge badge-${r.status}` }, t("status_" + r.status))),
        h("td", {}, r.address || (r.lat != null ? `${r.lat}, ${r.long}` : "")), h("td", {}, formatTime(r.requested_datetime)))))));
}
