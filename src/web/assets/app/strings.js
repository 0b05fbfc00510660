// The page's language and its strings, handed over by the server as JSON data in the page.
export const S = JSON.parse(document.getElementById("app-strings").textContent);
export const lang = document.documentElement.lang === "en" ? "en" : "nb";
export const locale = lang === "en" ? "en-GB" : "nb-NO";
export const TZ = "Europe/Oslo";

const dateFormat = new Intl.DateTimeFormat(locale, { dateStyle: "long", timeZone: TZ });
const dateTimeFormat = new Intl.DateTimeFormat(locale, {
  dateStyle: "medium",
  timeStyle: "short",
  timeZone: TZ,
});

/** Fills `{name}` placeholders. */
export const fill = (template, values) =>
  template.replace(/\{(\w+)\}/g, (whole, key) => values[key] ?? whole);
export const formatDate = (iso) => (iso ? dateFormat.format(new Date(iso)) : S.noExpiry);
export const formatDateTime = (iso) => dateTimeFormat.format(new Date(iso));

/** A link to this page with the language kept. */
export const link = (params) => `/app?${new URLSearchParams({ lang, ...params })}`;

/** `S[key]` filled, or `S[key + "One"]` when the count is 1 and the dictionary has it. */
export const count = (key, values) =>
  fill(values.count === 1 && S[`${key}One`] ? S[`${key}One`] : S[key], values);
