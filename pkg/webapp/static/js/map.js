// A map without a library: Web Mercator tiles as <img> in a grid, markers placed by the same
// maths. Without tiles (offline, or tile_url "none") it is a plain grid with its markers.
import { h } from "./dom.js";
import { t } from "./i18n.js";

const TILE = 256;

/** project gives the world pixel of lat/long at zoom z. */
export function project(lat, lon, z) {
  const n = TILE * 2 ** z;
  const s = Math.sin((Math.max(-85.0511, Math.min(85.0511, lat)) * Math.PI) / 180);
  return { x: ((lon + 180) / 360) * n, y: (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * n };
}

/** unproject gives lat/long of the world pixel x, y at zoom z. */
export function unproject(x, y, z) {
  const n = TILE * 2 ** z;
  const lon = (x / n) * 360 - 180;
  const lat = (Math.atan(Math.sinh(Math.PI * (1 - (2 * y) / n))) * 180) / Math.PI;
  return { lat, lon };
}

/**
 * createMap makes a map of the given centre and zoom. options: tileURL, attribution, onPick(lat,
 * lon) for a map the user clicks to choose a point. It returns {el, setMarkers, setPick, fit}.
 */
export function createMap({ center, zoom = 13, tileURL = "", attribution = "", onPick = null }) {
  const tiles = h("div", { class: "map-tiles", "aria-hidden": "true" });
  const markers = h("div", { class: "map-markers" });
  const keysHint = h("p", { class: "map-note", id: `map-keys-${Math.random().toString(36).slice(2, 8)}` }, t(onPick ? "map_keys_pick" : "map_keys"));
  const view = h("div", { class: "map-view" + (onPick ? " map-pick" : ""), role: "group", tabindex: "0", "aria-label": t("map_label"),
    "aria-describedby": keysHint.id }, tiles, markers);
  const note = h("p", { class: "map-note", hidden: true }, t("map_no_tiles"));
  const zin = h("button", { type: "button", class: "map-zoom", "aria-label": t("map_zoom_in"), onclick: () => setZoom(zoom + 1) }, "+");
  const zout = h("button", { type: "button", class: "map-zoom", "aria-label": t("map_zoom_out"), onclick: () => setZoom(zoom - 1) }, "−");
  const el = h("div", { class: "map" }, view, h("div", { class: "map-controls" }, zin, zout), keysHint, note,
    attribution && tileURL !== "none" ? h("p", { class: "map-attribution" }, t("footer_tiles", { attribution })) : null);
  let points = [];
  let pick = null;
  let c = { lat: center[0], lon: center[1] };

  function size() {
    return { w: view.clientWidth || 600, h: view.clientHeight || 360 };
  }
  function origin() {
    const p = project(c.lat, c.lon, zoom);
    const s = size();
    return { x: p.x - s.w / 2, y: p.y - s.h / 2 };
  }
  function draw() {
    const o = origin();
    const s = size();
    tiles.replaceChildren();
    if (tileURL && tileURL !== "none") {
      const n = 2 ** zoom;
      for (let ty = Math.floor(o.y / TILE); ty * TILE < o.y + s.h; ty++) {
        if (ty < 0 || ty >= n) continue;
        for (let tx = Math.floor(o.x / TILE); tx * TILE < o.x + s.w; tx++) {
          const x = ((tx % n) + n) % n;
          const img = h("img", { alt: "", width: TILE, height: TILE, draggable: "false",
            src: tileURL.replace("{z}", zoom).replace("{x}", x).replace("{y}", ty) });
          img.style.left = `${tx * TILE - o.x}px`;
          img.style.top = `${ty * TILE - o.y}px`;
          img.addEventListener("error", () => { img.remove(); note.hidden = false; });
          tiles.append(img);
        }
      }
    } else {
      note.hidden = false;
    }
    markers.replaceChildren();
    for (const p of points) {
      const w = project(p.lat, p.lon, zoom);
      const m = p.href
        ? h("a", { class: "marker", href: p.href, title: p.label, "aria-label": p.label })
        : h("span", { class: "marker", title: p.label, role: "img", "aria-label": p.label });
      m.style.left = `${w.x - o.x}px`;
      m.style.top = `${w.y - o.y}px`;
      markers.append(m);
    }
    if (pick) {
      const w = project(pick.lat, pick.lon, zoom);
      const m = h("span", { class: "marker marker-pick", role: "img", "aria-label": t("map_chosen") });
      m.style.left = `${w.x - o.x}px`;
      m.style.top = `${w.y - o.y}px`;
      markers.append(m);
    }
  }
  function setZoom(z) {
    zoom = Math.max(2, Math.min(19, z));
    draw();
  }
  if (onPick) {
    view.addEventListener("click", (e) => {
      const r = view.getBoundingClientRect();
      const o = origin();
      const ll = unproject(o.x + e.clientX - r.left, o.y + e.clientY - r.top, zoom);
      pick = { lat: +ll.lat.toFixed(6), lon: +ll.lon.toFixed(6) };
      draw();
      onPick(pick.lat, pick.lon);
    });
  }
  // The keyboard: arrows pan, + and - zoom, Enter or Space picks the centre.
  view.addEventListener("keydown", (e) => {
    const step = 64;
    const p = project(c.lat, c.lon, zoom);
    const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
    if (moves[e.key]) {
      const ll = unproject(p.x + moves[e.key][0], p.y + moves[e.key][1], zoom);
      c = { lat: ll.lat, lon: ll.lon };
      draw();
    } else if (e.key === "+" || e.key === "=") setZoom(zoom + 1);
    else if (e.key === "-") setZoom(zoom - 1);
    else if (onPick && (e.key === "Enter" || e.key === " ")) {
      pick = { lat: +c.lat.toFixed(6), lon: +c.lon.toFixed(6) };
      draw();
      onPick(pick.lat, pick.lon);
    } else return;
    e.preventDefault();
  });
  new ResizeObserver(() => draw()).observe(view);
  return {
    el,
    /** setMarkers shows points [{lat, lon, label, href}]. */
    setMarkers(ps) { points = ps; draw(); },
    /** setPick shows the chosen point and centres on it. */
    setPick(lat, lon) { pick = { lat, lon }; c = { lat, lon }; draw(); },
    /** fit centres and zooms to hold every marker. */
    fit() {
      if (!points.length) return draw();
      const lats = points.map((p) => p.lat), lons = points.map((p) => p.lon);
      c = { lat: (Math.min(...lats) + Math.max(...lats)) / 2, lon: (Math.min(...lons) + Math.max(...lons)) / 2 };
      const s = size();
      for (zoom = 17; zoom > 2; zoom--) {
        const a = project(Math.max(...lats), Math.min(...lons), zoom), b = project(Math.min(...lats), Math.max(...lons), zoom);
        if (b.x - a.x < s.w - 40 && b.y - a.y < s.h - 40) break;
      }
      draw();
    },
  };
}
