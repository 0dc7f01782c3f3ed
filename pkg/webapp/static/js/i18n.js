// The page's texts: one messages module per language (js/messages/LANG.js), chosen by config.json.
let messages = {};

/** load imports the messages of lang, falling back to English. */
export async function load(lang) {
  try {
    messages = (await import(`./messages/${lang}.js`)).default;
  } catch {
    messages = (await import("./messages/en.js")).default;
  }
  document.documentElement.lang = messages.lang || lang;
}

/** t returns the text of key with {placeholders} filled from vars. */
export function t(key, vars = {}) {
  const s = messages[key];
  if (s === undefined) return key;
  return s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
}

/** has reports whether the messages have key. */
export function has(key) {
  return key in messages;
}
