import { $ } from "./dom.js";
import { S } from "./strings.js";

let sayCount = 0;

/** Puts a message in the page's live region, so screen readers announce it. */
export function say(text, isError = false) {
  const notice = $("notice");
  const mine = ++sayCount;
  notice.classList.toggle("error", isError);
  // Emptied first so that the same message twice is announced twice.
  notice.textContent = "";
  window.setTimeout(() => {
    if (mine === sayCount) notice.textContent = isError ? `${S.errorPrefix} ${text}` : text;
  }, 50);
}
