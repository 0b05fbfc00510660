import { $ } from "./dom.js";
import { S } from "./strings.js";

const counts = new Map();

/**
 * Puts a message in a live region, so screen readers announce it: the page's own (`notice`) or
 * the one beside the form or inside the dialog where the action happened.
 */
export function say(text, isError = false, where = "notice") {
  const region = typeof where === "string" ? $(where) : where;
  if (!region) return;
  const mine = (counts.get(region) ?? 0) + 1;
  counts.set(region, mine);
  region.classList.toggle("error", isError);
  // Emptied first so that the same message twice is announced twice.
  region.textContent = "";
  window.setTimeout(() => {
    if (counts.get(region) === mine) region.textContent = isError ? `${S.errorPrefix} ${text}` : text;
  }, 50);
}

export function clear(where) {
  const region = typeof where === "string" ? $(where) : where;
  if (!region) return;
  counts.set(region, (counts.get(region) ?? 0) + 1);
  region.textContent = "";
  region.classList.remove("error");
}
