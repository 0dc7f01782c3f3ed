// The page's texts: one messages module per language (js/messages/TAG.js, listed in
// messages/index.js). The language is the one the reader chose with the switcher (kept in
// localStorage), else the first of the browser's languages the app has (es-MX → es), else
// config.json's "language", else English. A text missing from a language is shown in English.
import languages from "./messages/index.js";

let messages = {};
let english = {};
let current = "en";

/** available lists the languages the app has: [{tag, name}]. */
export const available = languages;

const SAVED = "open311.language";

/** choose returns the language to show: saved, else the browser's, else fallback. */
export function choose(fallback = "en") {
  const tags = languages.map((l) => l.tag);
  const saved = localStorage.getItem(SAVED);
  if (saved && tags.includes(saved)) return saved;
  for (const want of navigator.languages || [navigator.language]) {
    for (let tag = String(want || ""); tag; tag = tag.includes("-") ? tag.slice(0, tag.lastIndexOf("-")) : "") {
      const hit = tags.find((t) => t.toLowerCase() === tag.toLowerCase());
      if (hit) return hit;
    }
  }
  return tags.includes(fallback) ? fallback : "en";
}

/** save keeps the reader's choice for the next visits. */
export function save(lang) {
  localStorage.setItem(SAVED, lang);
}

/** load imports the messages of lang (English where it has none) and lays the page out in its direction. */
export async function load(lang) {
  english = (await import("./messages/en.js")).default;
  try {
    messages = lang === "en" ? english : (await import(`./messages/${lang}.js`)).default;
  } catch {
    messages = english;
  }
  current = messages.lang || "en";
  document.documentElement.lang = current;
  document.documentElement.dir = messages.dir || "ltr";
}

/** language is the language shown (its tag), which the API is asked to answer in too. */
export function language() {
  return current;
}

/** t returns the text of key with {placeholders} filled from vars. */
export function t(key, vars = {}) {
  const s = key in messages ? messages[key] : english[key];
  if (s === undefined) return key;
  return s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
}

/** has reports whether the messages have key. */
export function has(key) {
  return key in messages || key in english;
}
