// The staff console: sign in with a staff key (sessionStorage only), the queue, and a request's
// detail with its legal moves (statuses.json, from the one table), assignment, notes, comments.
import * as api from "./api.js";
import { h, replace, formatTime } from "./dom.js";
import { t } from "./i18n.js";
import * as errors from "./errors.js";
import { facts, photos, timeline, linked, statusText } from "./request.js";

const KEY = "open311.staffKey";
const QUEUE = ["submitted", "open", "assigned", "in_progress", "more_info", "incomplete"];
const DEFAULT_QUEUE = ["submitted", "open", "assigned", "in_progress"];

const staffKey = () => sessionStorage.getItem(KEY) || "";

function signOut() {
  sessionStorage.removeItem(KEY);
  location.hash = "#/staff";
  window.dispatchEvent(new HashChangeEvent("hashchange"));
}

/** expired reports whether e is a refused key: the session ends and the page says so. */
function expired(e) {
  return e instanceof api.ApiError && e.status === 403 && /api_key/.test(e.message);
}

/** staffPage renders the sign-in, the queue, or request id's detail. */
export async function staffPage(main, ctx, id) {
  if (!staffKey()) return signIn(main, ctx, "");
  const bar = h("p", { class: "staff-bar" }, h("button", { type: "button", onclick: signOut, id: "signout" }, t("staff_signout")));
  try {
    if (id && !id.startsWith("?")) await detail(main, ctx, id, bar);
    else await queue(main, ctx, bar);
  } catch (e) {
    if (!expired(e)) throw e;
    sessionStorage.removeItem(KEY);
    signIn(main, ctx, t("staff_key_invalid"));
  }
}

function signIn(main, ctx, message) {
  const input = h("input", { type: "password", id: "staff-key", name: "api_key", autocomplete: "current-password", required: true, "aria-required": "true" });
  const summary = h("div", { class: "form-errors", tabindex: "-1", role: "alert" }, message ? h("p", {}, message) : null);
  const form = h("form", { class: "signin" }, summary,
    h("div", { class: "field", "data-field": "api_key" }, h("label", { for: "staff-key" }, t("staff_key_label")), input),
    h("button", { type: "submit", class: "primary" }, t("staff_signin")));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    errors.clear(form);
    try {
      await api.get("/requests.json", { detailed_status: "submitted", page_size: 1 }, input.value.trim());
      sessionStorage.setItem(KEY, input.value.trim());
      window.dispatchEvent(new HashChangeEvent("hashchange"));
    } catch (err) {
      errors.show(form, err);
    }
  });
  replace(main, h("h1", {}, t("staff_heading")), h("p", {}, t("staff_signin_intro")), form);
  if (message) summary.focus();
}

async function queue(main, ctx, bar) {
  const q = new URLSearchParams((location.hash.split("?")[1]) || "");
  const chosen = q.get("detailed_status") ? q.get("detailed_status").split(",") : DEFAULT_QUEUE;
  const boxes = QUEUE.map((s) => h("div", { class: "check" },
    h("input", { type: "checkbox", id: "q-" + s, name: "detailed_status", value: s, checked: chosen.includes(s) }),
    h("label", { for: "q-" + s }, statusText(s))));
  const agency = h("input", { type: "text", id: "q-agency", name: "agency_responsible", value: q.get("agency_responsible") || "" });
  const text = h("input", { type: "search", id: "q-text", name: "q", value: q.get("q") || "" });
  const sort = h("select", { id: "q-sort", name: "sort" }, ["newest", "oldest", "updated"].map((s) =>
    h("option", { value: s, selected: (q.get("sort") || "newest") === s }, t("staff_sort_" + s))));
  const summary = h("div", { class: "form-errors", tabindex: "-1", role: "alert" });
  const form = h("form", { class: "filters", role: "search", "aria-label": t("staff_queue") }, summary,
    h("fieldset", { class: "field", "data-field": "detailed_status" }, h("legend", {}, t("staff_filter_status")), boxes),
    h("div", { class: "field", "data-field": "agency_responsible" }, h("label", { for: "q-agency" }, t("staff_filter_agency")), agency),
    h("div", { class: "field", "data-field": "q" }, h("label", { for: "q-text" }, t("staff_filter_q")), text),
    h("div", { class: "field" }, h("label", { for: "q-sort" }, t("staff_sort")), sort),
    h("button", { type: "submit" }, t("staff_apply")));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const p = new URLSearchParams();
    const ds = [...form.querySelectorAll("input[name=detailed_status]:checked")].map((b) => b.value);
    if (ds.length) p.set("detailed_status", ds.join(","));
    if (agency.value.trim()) p.set("agency_responsible", agency.value.trim());
    if (text.value.trim()) p.set("q", text.value.trim());
    if (sort.value !== "newest") p.set("sort", sort.value);
    location.hash = "#/staff?" + p;
  });
  const results = h("div", { "aria-live": "polite" });
  replace(main, h("h1", {}, t("staff_heading")), bar, h("h2", {}, t("staff_queue")), form, results);
  let rs;
  try {
    rs = await api.get("/requests.json", { detailed_status: chosen.join(","), agency_responsible: q.get("agency_responsible"),
      q: q.get("q"), extensions: "true", page_size: 100 }, staffKey());
  } catch (e) {
    if (expired(e)) throw e;
    errors.show(form, e);
    return;
  }
  const key = q.get("sort") === "updated" ? "updated_datetime" : "requested_datetime";
  rs.sort((a, b) => (a[key] < b[key] ? 1 : a[key] > b[key] ? -1 : 0));
  if (q.get("sort") === "oldest") rs.reverse();
  if (!rs.length) { replace(results, h("p", {}, t("list_empty"))); return; }
  replace(results, h("table", { class: "requests queue" },
    h("thead", {}, h("tr", {}, ["list_col_id", "list_col_service", "staff_filter_status", "staff_agency", "list_col_requested"].map((k) => h("th", { scope: "col" }, t(k))))),
    h("tbody", {}, rs.map((r) => h("tr", { "data-id": r.service_request_id, "data-service": r.service_code },
      h("td", {}, h("a", { href: `#/staff/${encodeURIComponent(r.service_request_id)}` }, r.service_request_id)),
      h("td", {}, r.service_name), h("td", {}, statusText(r.extended_attributes.detailed_status)),
      h("td", {}, r.agency_responsible || ""), h("td", {}, formatTime(r.requested_datetime)))))));
}

async function detail(main, ctx, id, bar) {
  const [r] = await api.get(`/requests/${encodeURIComponent(id)}.json`, { extensions: "true" }, staffKey());
  render(main, ctx, r, bar);
}

/** update posts one staff change and shows the request it answers, or the errors in form. */
async function update(main, ctx, id, form, fields, bar) {
  errors.clear(form);
  const data = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) if (v) data.set(k, v);
  try {
    const [r] = await api.post(`/requests/${encodeURIComponent(id)}.json`, data, staffKey());
    render(main, ctx, r, bar, t("staff_saved"));
  } catch (e) {
    if (expired(e)) {
      sessionStorage.removeItem(KEY);
      errors.show(form, new api.ApiError(403, [{ code: 403, description: t("staff_key_invalid") }]));
      return;
    }
    errors.show(form, e);
  }
}

function render(main, ctx, r, bar, saved = "") {
  const id = r.service_request_id;
  const x = r.extended_attributes;
  const from = x.detailed_status;
  const moves = ctx.statuses.transitions[from] || [];
  const errs = () => h("div", { class: "form-errors", tabindex: "-1", role: "alert" });

  const notes = h("textarea", { id: "move-notes", name: "status_notes", rows: 2, maxlength: 4000 });
  const moveForm = h("form", { class: "moves", "aria-labelledby": "moves-h" }, errs(),
    h("h2", { id: "moves-h" }, t("staff_actions")),
    h("div", { class: "field", "data-field": "status_notes" }, h("label", { for: "move-notes" }, t("staff_action_notes")), notes),
    moves.length ? h("div", { class: "buttons", "data-field": "status" }, moves.map((to) => h("button", { type: "button", "data-move": to,
      class: to === "rejected" ? "danger" : "",
      onclick: () => update(main, ctx, id, moveForm, { status: to, status_notes: notes.value.trim() }, bar) },
    from === "submitted" && to === "open" ? t("staff_accept") : from === "submitted" && to === "rejected" ? t("staff_reject") : t("staff_move_to", { status: statusText(to) }))))
      : h("p", {}, t("staff_no_moves")));

  const agency = h("input", { type: "text", id: "assign-agency", name: "agency_responsible", value: r.agency_responsible || "", maxlength: 1000, required: true });
  const expected = h("input", { type: "datetime-local", id: "assign-expected", name: "expected_datetime" });
  const assignForm = h("form", { class: "assign", "aria-labelledby": "assign-h" }, errs(), h("h2", { id: "assign-h" }, t("staff_assign")),
    h("div", { class: "field", "data-field": "agency_responsible" }, h("label", { for: "assign-agency" }, t("staff_agency")), agency),
    h("div", { class: "field", "data-field": "expected_datetime" }, h("label", { for: "assign-expected" }, t("staff_expected")), expected),
    h("button", { type: "submit" }, t("staff_assign_submit")));
  assignForm.addEventListener("submit", (e) => {
    e.preventDefault();
    const fields = { agency_responsible: agency.value.trim() };
    if (expected.value) fields.expected_datetime = new Date(expected.value).toISOString();
    if (ctx.statuses.transitions[from].includes("assigned")) fields.status = "assigned";
    update(main, ctx, id, assignForm, fields, bar);
  });

  const publicNotes = h("textarea", { id: "public-notes", name: "status_notes", rows: 2, maxlength: 4000 });
  const notesForm = h("form", { class: "notes", "aria-labelledby": "notes-h" }, errs(), h("h2", { id: "notes-h" }, t("staff_notes")),
    h("div", { class: "field", "data-field": "status_notes" }, h("label", { for: "public-notes" }, t("staff_notes")), publicNotes),
    h("button", { type: "submit" }, t("staff_notes_submit")));
  notesForm.addEventListener("submit", (e) => { e.preventDefault(); update(main, ctx, id, notesForm, { status_notes: publicNotes.value.trim() }, bar); });

  const comment = h("textarea", { id: "comment", name: "comment", rows: 2, maxlength: 4000 });
  const commentForm = h("form", { class: "comment", "aria-labelledby": "comment-h" }, errs(), h("h2", { id: "comment-h" }, t("staff_comment")),
    h("div", { class: "field", "data-field": "comment" }, h("label", { for: "comment" }, t("staff_comment")), comment),
    h("button", { type: "submit" }, t("staff_comment_submit")));
  commentForm.addEventListener("submit", (e) => { e.preventDefault(); update(main, ctx, id, commentForm, { comment: comment.value.trim() }, bar); });

  // Nearby requests, each a candidate original this one duplicates.
  const nearbyList = h("div", { "aria-live": "polite" });
  const dupForm = h("form", { class: "duplicate", "aria-labelledby": "dup-h" }, errs(), h("h2", { id: "dup-h" }, t("staff_nearby")), nearbyList);
  if (r.lat != null && !x.duplicate) {
    replace(nearbyList, h("p", { class: "hint" }, t("loading")));
    api.get("/requests.json", { lat: r.lat, long: r.long, radius: 250, extensions: "true", page_size: 20 }, staffKey()).then((near) => {
      const others = near.filter((o) => o.service_request_id !== id && !o.extended_attributes.duplicate);
      replace(nearbyList, others.length ? h("ul", { class: "nearby" }, others.map((o) => h("li", {},
        h("a", { href: `#/staff/${encodeURIComponent(o.service_request_id)}` }, o.service_request_id), ` ${o.service_name} (${statusText(o.extended_attributes.detailed_status)}) `,
        h("button", { type: "button", "data-duplicate-of": o.service_request_id,
          onclick: () => update(main, ctx, id, dupForm, { duplicate_of: o.service_request_id }, bar) }, t("staff_duplicate_of", { id: o.service_request_id })))))
        : h("p", {}, t("staff_no_nearby")));
    }, (e) => errors.show(dupForm, e));
  } else {
    replace(nearbyList, h("p", {}, t("staff_no_nearby")));
  }

  // Photos, each with a button that removes it (pressed twice: the first press asks).
  const served = (x.media || []).filter((m) => m.url);
  const photoForm = served.length ? h("form", { class: "photos-staff", "aria-labelledby": "photos-staff-h" }, errs(),
    h("h2", { id: "photos-staff-h" }, t("request_photos")),
    h("ul", { class: "photos" }, served.map((m, i) => h("li", {},
      h("a", { href: m.url }, h("img", { src: m.preview_url || m.url, alt: t("request_photo_alt", { n: i + 1, id }) })),
      h("button", { type: "button", class: "danger", "data-remove-photo": m.url, onclick: (e) => {
        const b = e.currentTarget;
        if (!b.dataset.armed) { b.dataset.armed = "1"; b.textContent = t("staff_remove_photo_confirm", { n: i + 1 }); return; }
        update(main, ctx, id, photoForm, { remove_photo: m.url }, bar);
      } }, t("staff_remove_photo", { n: i + 1 })))))) : photos(r);

  replace(main, h("h1", {}, t("request_heading", { id })), bar,
    saved ? h("p", { class: "notice ok", role: "status" }, saved) : null,
    h("p", {}, h("a", { href: "#/staff" }, t("staff_back")),
      from !== "submitted" ? [" · ", h("a", { href: `#/requests/${encodeURIComponent(id)}` }, t("staff_public_page"))] : null),
    facts(r), h("div", { class: "staff-forms" }, moveForm, assignForm, notesForm, commentForm, dupForm),
    photoForm, linked(r, "#/staff/"), timeline(r));
}
