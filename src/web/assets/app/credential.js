// The signed Open Badges 3.0 credential of a certification, downloaded as a .json file.

import { el } from "./dom.js";
import { download } from "./download.js";
import { S } from "./strings.js";

export function credentialLink(certification, where) {
  const href = `/v1/certifications/${certification.id}/credential`;
  const filename = `${certification.certificate_number}.credential.json`;
  return el(
    "a",
    {
      href,
      download: filename,
      // The number in the accessible name only, not as text of the card a second time.
      "aria-label": `${S.downloadCredential} ${certification.certificate_number}`,
      onclick: (event) => {
        event.preventDefault();
        download(href, filename, where);
      },
    },
    S.downloadCredential,
  );
}
