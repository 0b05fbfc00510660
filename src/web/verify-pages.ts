import type { SharedCertification } from "../services/share-links.js";
import type { Verification } from "../services/verify-certificate.js";
import { type Html, html, link, page, statusIcon } from "./html.js";
import {
  formatDate,
  formatDateTime,
  type Language,
  type Messages,
  messages,
  verificationStatus,
} from "./i18n.js";

/** Number, code and (optionally) the holder's name; submits to /verify, which redirects to the result. */
export function verifyForm(language: Language, m: Messages, number = ""): Html {
  return html`<form class="verify-form" method="get" action="/verify" role="search" aria-label="${m.homeVerifyHeading}">
  <input type="hidden" name="lang" value="${language}">
  <div class="field">
    <label for="number">${m.certificateNumber}</label>
    <p class="hint" id="number-hint">${m.certificateNumberHint}</p>
    <input id="number" name="number" type="text" required maxlength="64" autocomplete="off" spellcheck="false"
      autocapitalize="characters" aria-describedby="number-hint" value="${number}">
  </div>
  <div class="field">
    <label for="code">${m.verificationCode}</label>
    <p class="hint" id="code-hint">${m.verificationCodeHint}</p>
    <input id="code" name="code" type="text" required maxlength="32" autocomplete="off" spellcheck="false"
      autocapitalize="characters" aria-describedby="code-hint">
  </div>
  <div class="field">
    <label for="holder-name">${m.holderNameOptional}</label>
    <p class="hint" id="holder-name-hint">${m.holderNameHint}</p>
    <input id="holder-name" name="name" type="text" maxlength="200" autocomplete="off" spellcheck="false"
      aria-describedby="holder-name-hint">
  </div>
  <button type="submit">${m.verifyButton}</button>
</form>`;
}

const VERIFY_STYLES = ["/assets/verify.css"];

const pathOf = (number: string) => `/verify/${encodeURIComponent(number)}`;

function time(iso: string, language: Language, withTime = false): Html {
  return html`<time datetime="${iso}">${withTime ? formatDateTime(iso, language) : formatDate(iso, language)}</time>`;
}

/** The facts both the verification page and the share link's page show. */
function facts(m: Messages, language: Language, result: Verification, holder: Html): Html {
  const { label } = verificationStatus(result.status, m);
  return html`<dl class="facts">
    <div><dt>${m.factNumber}</dt><dd class="number">${result.certificate_number}</dd></div>
    <div><dt>${m.factOrganization}</dt><dd>${result.organization.name}</dd></div>
    <div><dt>${m.factType}</dt><dd>${result.certification_type.name}</dd></div>
    ${holder}
    <div><dt>${m.factIssued}</dt><dd>${time(result.issued_at, language)}</dd></div>
    <div><dt>${m.factExpires}</dt><dd>${result.expires_at === null ? m.noExpiry : time(result.expires_at, language)}</dd></div>
    <div><dt>${m.factStatus}</dt><dd>${label}</dd></div>
    ${
      result.name_matches === undefined
        ? ""
        : html`<div><dt>${m.factNameCheck}</dt><dd class="name-check">${result.name_matches ? m.nameMatches : m.nameDiffers}</dd></div>`
    }
    <div><dt>${m.factCheckedAt}</dt><dd>${time(result.checked_at, language, true)}</dd></div>
  </dl>`;
}

function resultSection(m: Messages, result: Verification, body: Html): Html {
  const { label, text } = verificationStatus(result.status, m);
  return html`<section class="result status-${result.status}" aria-labelledby="result-heading">
  <h2 id="result-heading" class="status-line">${statusIcon(result.status)}<span>${label}</span></h2>
  <p class="status-text">${text}</p>
  ${body}
</section>`;
}

/** The public result: the same minimal facts as GET /v1/verify, status in words, icon and colour. */
export function verificationPage(language: Language, result: Verification): string {
  const m = messages(language);
  const { label } = verificationStatus(result.status, m);
  return page({
    language,
    m,
    styles: VERIFY_STYLES,
    title: `${result.certificate_number}: ${label}`,
    path: pathOf(result.certificate_number),
    body: html`<h1>${m.verifyTitle}</h1>
${resultSection(
  m,
  result,
  html`${facts(m, language, result, html`<div><dt>${m.factHolder}</dt><dd>${result.holder_initials}</dd></div>`)}
  <p class="hint">${m.privacyNote}</p>`,
)}
<section aria-labelledby="again-heading">
  <h2 id="again-heading">${m.verifyAnother}</h2>
  ${verifyForm(language, m)}
</section>`,
  });
}

/**
 * Not confirmed (404: no code, a wrong code, or no such number, all one page) or malformed
 * (422): said plainly, with the form to try again. The page never says which of the three it was.
 */
export function verificationFailurePage(
  language: Language,
  number: string,
  kind: "unknown" | "malformed",
): string {
  const m = messages(language);
  const title = kind === "unknown" ? m.unknownTitle : m.malformedTitle;
  const text = kind === "unknown" ? m.unknownText : m.malformedText;
  return page({
    language,
    m,
    styles: VERIFY_STYLES,
    title,
    path: pathOf(number),
    body: html`<h1>${m.verifyTitle}</h1>
<section class="result status-${kind}" aria-labelledby="result-heading">
  <h2 id="result-heading" class="status-line">${statusIcon("unknown")}<span>${title}</span></h2>
  <p class="status-text">${text}</p>
  <dl class="facts"><div><dt>${m.factNumber}</dt><dd class="number">${number}</dd></div></dl>
</section>
<section aria-labelledby="again-heading">
  <h2 id="again-heading">${m.verifyAnother}</h2>
  ${verifyForm(language, m, number)}
</section>`,
  });
}

/** A share link's page: the facts and the holder's full name, which the holder chose to show. */
export function sharedPage(language: Language, token: string, result: SharedCertification): string {
  const m = messages(language);
  return page({
    language,
    m,
    styles: VERIFY_STYLES,
    title: `${m.sharedTitle}: ${result.certificate_number}`,
    path: `/s/${token}`,
    body: html`<h1>${m.sharedTitle}</h1>
<p class="lead">${m.sharedIntro}</p>
${resultSection(
  m,
  result,
  html`${facts(m, language, result, html`<div><dt>${m.factHolderName}</dt><dd class="holder-name">${result.holder_name}</dd></div>`)}
  <p class="hint">${m.sharedNote}</p>`,
)}`,
  });
}

/** A share link that expired or was withdrawn (410), or never was (404). */
export function sharedFailurePage(language: Language, token: string, kind: "gone" | "unknown"): string {
  const m = messages(language);
  const title = kind === "gone" ? m.sharedGoneTitle : m.sharedUnknownTitle;
  const text = kind === "gone" ? m.sharedGoneText : m.sharedUnknownText;
  return page({
    language,
    m,
    styles: VERIFY_STYLES,
    title,
    path: `/s/${token}`,
    body: html`<h1>${m.sharedTitle}</h1>
<section class="result status-unknown" aria-labelledby="result-heading">
  <h2 id="result-heading" class="status-line">${statusIcon("unknown")}<span>${title}</span></h2>
  <p class="status-text">${text}</p>
</section>
<p><a href="${link("/", language)}">${m.navHome}</a></p>`,
  });
}
