// Files behind the bearer token (CSV exports, reports): fetched and handed to the browser.
import { attempt, request } from "./api.js";
import { el } from "./dom.js";
import { say } from "./notice.js";
import { S } from "./strings.js";

export async function download(href, filename, where) {
  await attempt(async () => {
    const blob = await (await request("GET", href)).blob();
    const url = URL.createObjectURL(blob);
    const anchor = el("a", { href: url, download: filename, hidden: true });
    document.body.append(anchor);
    anchor.click();
    anchor.remove();
    window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
    say(S.fileDownloaded.replace("{file}", filename), false, where);
  }, where);
}

/** A link to a file of the API that the browser fetches with the token. */
export function downloadLink(link, filename, where) {
  link.onclick = (event) => {
    event.preventDefault();
    download(link.getAttribute("href"), filename(), where);
  };
}
