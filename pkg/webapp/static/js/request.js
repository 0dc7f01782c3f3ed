// A request's page: its status and detailed status, notes, photos, linked requests, the timeline
// of its activities and its Atom feed. Public: it reads with no key.
import * as api from "./api.js";
import { h, replace, formatTime } from "./dom.js";
import { t, has } from "./i18n.js";
import { problem } from "./app.js";

/** statusText is the reader's words for a detailed status. */
export function statusText(s) {
  return has("detailed_" + s) ? t("detailed_" + s) : s;
}

/** facts is the definition list of a request's fields. */
export function facts(r) {
  const x = r.extended_attributes || {};
  const row = (k, v) => (v ? [h("dt", {}, t(k)), h("dd", {}, v)] : null);
  return h("dl", { class: "facts" },
    row("request_status", h("span", { class: `badge badge-${r.status}`, "data-status": r.status }, t("status_" + r.status))),
    row("request_detailed_status", x.detailed_status ? h("span", { class: "detailed", "data-detailed-status": x.detailed_status }, statusText(x.detailed_status)) : null),
    row("request_service", r.service_name),
    row("request_address", r.address || (r.lat != null ? `${r.lat}, ${r.long}` : "")),
    row("request_agency", r.agency_responsible),
    row("request_expected", formatTime(r.expected_datetime)),
    row("request_requested", formatTime(r.requested_datetime)),
    row("request_updated", formatTime(r.updated_datetime)),
    row("request_description", r.description),
    row("request_notes", r.status_notes));
}

/** photos shows a request's photos (extended media, else its media_url). */
export function photos(r) {
  const x = r.extended_attributes || {};
  const media = x.media || (r.media_url ? [{ url: r.media_url }] : []);
  if (!media.length) return null;
  return h("section", { "aria-labelledby": "photos-h" }, h("h2", { id: "photos-h" }, t("request_photos")),
    h("ul", { class: "photos" }, media.map((m, i) => h("li", {}, m.url
      ? h("a", { href: m.url }, h("img", { src: m.preview_url || m.url, alt: t("request_photo_alt", { n: i + 1, id: r.service_request_id }),
        width: m.width || null, height: m.height || null, loading: "lazy" }))
      : t("request_photo_private", { n: i + 1 })))));
}

/** timeline is the list of a request's activities, oldest first. */
export function timeline(r) {
  const notes = r.notes || [];
  return h("section", { "aria-labelledby": "timeline-h" }, h("h2", { id: "timeline-h" }, t("request_timeline")),
    h("ol", { class: "timeline" }, notes.map((n) => h("li", { "data-type": n.type, "data-status": n.status },
      h("time", { datetime: n.datetime }, formatTime(n.datetime)), " ", h("strong", {}, n.summary),
      n.description ? h("p", {}, n.description) : null,
      h("p", { class: "hint" }, n.author, " · ", statusText(n.status))))));
}

/** linked lists a request's linked requests with links to their pages (base: "#/requests/"). */
export function linked(r, base = "#/requests/") {
  const ls = (r.extended_attributes && r.extended_attributes.linked_requests) || [];
  if (!ls.length) return null;
  return h("section", { "aria-labelledby": "linked-h" }, h("h2", { id: "linked-h" }, t("request_linked")),
    h("ul", {}, ls.map((l) => h("li", {}, t("relation_" + l.relation), " ",
      h("a", { href: base + encodeURIComponent(l.service_request_id) }, l.service_request_id), ` (${statusText(l.detailed_status)})`))));
}

/** requestPage renders request id into main. */
export async function requestPage(main, ctx, id) {
  let r;
  try {
    [r] = await api.get(`/requests/${encodeURIComponent(id)}.json`, { extensions: "true" });
  } catch (e) {
    if (e instanceof api.ApiError && e.status === 404) {
      replace(main, h("h1", {}, t("request_heading", { id })), h("p", { class: "notice" }, t("request_not_found", { id })));
      return;
    }
    throw e;
  }
  const feed = r.extended_attributes && r.extended_attributes.feed_url;
  const refresh = h("button", { type: "button", id: "refresh", onclick: async () => {
    try { await requestPage(main, ctx, id); } catch (e) { main.prepend(problem(e)); }
  } }, t("request_refresh"));
  replace(main,
    h("h1", {}, t("request_heading", { id: r.service_request_id })),
    facts(r), refresh,
    feed ? h("p", {}, h("a", { href: feed, class: "feed", type: "application/atom+xml", id: "feed-link" }, t("request_feed"))) : null,
    photos(r), linked(r), timeline(r));
}
