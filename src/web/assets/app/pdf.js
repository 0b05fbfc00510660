import { attempt, request } from "./api.js";
import { el } from "./dom.js";
import { say } from "./notice.js";
import { lang, S } from "./strings.js";

export function pdfLink(certification, label) {
  const href = `/v1/certifications/${certification.id}/certificate.pdf?lang=${lang}`;
  return el(
    "a",
    {
      href,
      download: `${certification.certificate_number}.pdf`,
      onclick: (event) => {
        event.preventDefault();
        downloadPdf(href, `${certification.certificate_number}.pdf`);
      },
    },
    label ?? S.downloadPdf,
    el("span", { class: "visually-hidden" }, ` ${certification.certificate_number}`),
  );
}

/** The PDF needs the bearer token, so it is fetched and handed to the browser as a file. */
async function downloadPdf(href, filename) {
  await attempt(async () => {
    const blob = await (await request("GET", href)).blob();
    const url = URL.createObjectURL(blob);
    const anchor = el("a", { href: url, download: filename, hidden: true });
    document.body.append(anchor);
    anchor.click();
    anchor.remove();
    window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
    say(S.pdfDownloaded);
  });
}
