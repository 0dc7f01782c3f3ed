// The web app's entry: config, texts, navigation and the hash router.
import * as api from "./api.js";
import { available, choose, language, load, save, t } from "./i18n.js";
import { h, replace } from "./dom.js";
import { reportPage } from "./report.js";
import { requestPage } from "./request.js";
import { listPage } from "./list.js";
import { staffPage } from "./staff.js";

const routes = [
  [/^#?\/?$/, reportPage],
  [/^#\/requests\/?(\?.*)?$/, listPage],
  [/^#\/requests\/(.+)$/, requestPage],
  [/^#\/staff\/?(\?.*)?$/, staffPage],
  [/^#\/staff\/(.+)$/, staffPage],
];

/** ctx is what every page gets: the config and the status table. */
const ctx = {};

async function boot() {
  const [config, statuses] = await Promise.all([
    fetch("app/config.json").then((r) => r.json()),
    fetch("app/statuses.json").then((r) => r.json()),
  ]);
  ctx.config = config;
  ctx.statuses = statuses;
  api.configure(config);
  await load(choose(config.language || "en"));
  document.title = t("app_title");
  document.getElementById("skip").textContent = t("skip_to_content");
  const nav = document.getElementById("nav");
  nav.setAttribute("aria-label", t("nav_label"));
  replace(nav, h("ul", {},
    h("li", {}, h("a", { href: "#/" }, t("nav_report"))),
    h("li", {}, h("a", { href: "#/requests" }, t("nav_requests"))),
    h("li", {}, h("a", { href: "#/staff" }, t("nav_staff")))), switcher());
  footer(config);
  window.addEventListener("hashchange", route);
  route();
}

/** switcher is the language menu: choosing one keeps it and shows the page in it. */
function switcher() {
  const select = h("select", { id: "language", "aria-label": t("language_label") },
    available.map((l) => h("option", { value: l.tag, lang: l.tag, selected: l.tag === language() }, l.name)));
  select.addEventListener("change", () => { save(select.value); location.reload(); });
  return h("div", { class: "language" }, select);
}

function footer(config) {
  const links = (config.links || []).map((l) => h("li", {}, h("a", { href: l.url }, l.key ? t(l.key) : l.label)));
  if (config.feed_url) links.push(h("li", {}, h("a", { href: config.feed_url, type: "application/atom+xml" }, t("footer_feeds"))));
  replace(document.getElementById("footer"), h("ul", {}, links));
}

async function route() {
  const main = document.getElementById("main");
  const hash = location.hash || "#/";
  for (const a of document.querySelectorAll("#nav a")) {
    const here = a.getAttribute("href") === hash || (hash.startsWith(a.getAttribute("href")) && a.getAttribute("href") !== "#/");
    if (here) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  for (const [re, page] of routes) {
    const m = hash.match(re);
    if (m) {
      // Each route renders into a view of its own: a page still loading when the reader moves on
      // renders into its detached view, never over the next page.
      const view = h("div", { class: "view" }, h("p", { class: "loading" }, t("loading")));
      replace(main, view);
      const id = m[1] ? decodeURIComponent(m[1]) : "";
      try {
        await page(view, ctx, id);
      } catch (e) {
        replace(view, problem(e));
      }
      if (document.activeElement === document.body) main.focus({ preventScroll: true });
      return;
    }
  }
  replace(main, h("p", {}, t("not_found_page")));
}

/** problem is the notice for a failed call: offline, or the server's errors. */
export function problem(e) {
  if (e instanceof api.NetworkError) return h("p", { class: "notice error", role: "alert" }, t("offline"));
  if (e instanceof api.ApiError) return h("div", { class: "notice error", role: "alert" }, e.errors.map((x) => h("p", {}, x.description)));
  return h("p", { class: "notice error", role: "alert" }, String(e.message || e));
}

boot().catch((e) => replace(document.getElementById("main"), problem(e)));
