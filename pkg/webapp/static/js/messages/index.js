// The languages of the web app: one messages file each (js/messages/TAG.js), named in its own
// language for the switcher. To add one: copy en.js to TAG.js, translate its values (keep the
// keys and the {placeholders}; set dir: "rtl" for a language written right to left), and list
// it here. A text missing from a file is shown in English.
export default [
  { tag: "en", name: "English" },
  { tag: "es", name: "Español" },
  { tag: "ar", name: "العربية" },
];
