import type { Verification } from "../services/verify-certificate.js";
import { Html, html, link, page, statusIcon } from "./html.js";
import {
  formatDate,
  type Language,
  type Messages,
  messages,
  STAFF_KEYS,
  verificationStatus,
} from "./i18n.js";
import { staffDialogs, staffSection } from "./staff-page.js";

function verifyForm(language: Language, m: Messages, value = ""): Html {
  return html`<form class="verify-form" method="get" action="/verify" role="search" aria-label="${m.homeVerifyHeading}">
  <input type="hidden" name="lang" value="${language}">
  <label for="number">${m.certificateNumber}</label>
  <p class="hint" id="number-hint">${m.certificateNumberHint}</p>
  <div class="row">
    <input id="number" name="number" type="text" required maxlength="64" autocomplete="off" spellcheck="false"
      autocapitalize="characters" aria-describedby="number-hint" value="${value}">
    <button type="submit">${m.verifyButton}</button>
  </div>
</form>`;
}

export function homePage(language: Language): string {
  const m = messages(language);
  return page({
    language,
    m,
    title: m.homeVerifyHeading,
    path: "/",
    current: "home",
    body: html`<h1>${m.homeTitle}</h1>
<p class="lead">${m.homeIntro}</p>
<section aria-labelledby="verify-heading" class="card">
  <h2 id="verify-heading">${m.homeVerifyHeading}</h2>
  <p>${m.homeVerifyIntro}</p>
  ${verifyForm(language, m)}
</section>
<section aria-labelledby="members-heading">
  <h2 id="members-heading">${m.homeMembersHeading}</h2>
  <p>${m.homeMembersIntro}</p>
  <p><a href="${link("/app", language)}">${m.homeMembersLink}</a></p>
</section>`,
  });
}

const pathOf = (number: string) => `/verify/${encodeURIComponent(number)}`;

/** The public result: the same minimal facts as GET /v1/verify, status in words, icon and colour. */
export function verificationPage(language: Language, result: Verification): string {
  const m = messages(language);
  const { label, text } = verificationStatus(result.status, m);
  return page({
    language,
    m,
    title: `${result.certificate_number}: ${label}`,
    path: pathOf(result.certificate_number),
    body: html`<h1>${m.verifyTitle}</h1>
<section class="result status-${result.status}" aria-labelledby="result-heading">
  <h2 id="result-heading" class="status-line">${statusIcon(result.status)}<span>${label}</span></h2>
  <p class="status-text">${text}</p>
  <dl class="facts">
    <div><dt>${m.factNumber}</dt><dd>${result.certificate_number}</dd></div>
    <div><dt>${m.factOrganization}</dt><dd>${result.organization.name}</dd></div>
    <div><dt>${m.factType}</dt><dd>${result.certification_type.name}</dd></div>
    <div><dt>${m.factHolder}</dt><dd>${result.holder_initials}</dd></div>
    <div><dt>${m.factIssued}</dt><dd><time datetime="${result.issued_at}">${formatDate(result.issued_at, language)}</time></dd></div>
    <div><dt>${m.factExpires}</dt><dd>${
      result.expires_at === null
        ? m.noExpiry
        : html`<time datetime="${result.expires_at}">${formatDate(result.expires_at, language)}</time>`
    }</dd></div>
    <div><dt>${m.factStatus}</dt><dd>${label}</dd></div>
  </dl>
  <p class="hint">${m.privacyNote}</p>
</section>
<section aria-labelledby="again-heading">
  <h2 id="again-heading">${m.verifyAnother}</h2>
  ${verifyForm(language, m)}
</section>`,
  });
}

/** Unknown (404) or malformed (422) number: said plainly, with the form to try again. */
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

export function notFoundPage(language: Language, path: string): string {
  const m = messages(language);
  return page({
    language,
    m,
    title: m.notFoundTitle,
    path,
    body: html`<h1>${m.notFoundTitle}</h1><p>${m.notFoundText}</p><p><a href="${link("/", language)}">${m.navHome}</a></p>`,
  });
}

/** Strings the /app script needs, handed over in the page as JSON data (no inline script runs). */
const APP_STRINGS = [
  "signOut",
  "statusActive",
  "statusExpiringSoonShort",
  "statusExpired",
  "statusRevoked",
  "mineEmpty",
  "downloadPdf",
  "pdfDownloaded",
  "filterTypeAll",
  "listCaption",
  "listEmpty",
  "colNumber",
  "colHolder",
  "colType",
  "colStatus",
  "colIssued",
  "colExpires",
  "chooseMember",
  "chooseType",
  "granted",
  "detailHeading",
  "holder",
  "factOrganization",
  "factType",
  "factIssued",
  "factExpires",
  "factStatus",
  "source",
  "sourceCourse",
  "sourceManual",
  "notes",
  "revokedReason",
  "renewed",
  "revokeHeading",
  "revoked",
  "noExpiry",
  "auditCaption",
  "colWhen",
  "colAction",
  "colActor",
  "colReason",
  "colChanges",
  "actionIssued",
  "actionRenewed",
  "actionRevoked",
  "actionReinstated",
  "actionExpired",
  "actionExpiringSoon",
  "actionUpdated",
  "system",
  "errorPrefix",
  "networkError",
  "sessionExpired",
] as const satisfies readonly (keyof Messages)[];

function appStrings(m: Messages): string {
  const picked = Object.fromEntries([...APP_STRINGS, ...STAFF_KEYS].map((key) => [key, m[key]]));
  // JSON in a data block: "<" is escaped so no text can close the element.
  return JSON.stringify(picked).replaceAll("<", "\\u003c");
}

/**
 * The signed-in area's frame. The script fills it from the JSON API with the token it keeps in
 * sessionStorage; every control is here, labelled, in the order of the page.
 */
export function appPage(language: Language): string {
  const m = messages(language);
  return page({
    language,
    m,
    title: m.appTitle,
    path: "/app",
    current: "app",
    scripts: ["/assets/app/main.js"],
    styles: ["/assets/staff.css"],
    body: html`<h1>${m.appTitle}</h1>
<script type="application/json" id="app-strings">${new Html(appStrings(m))}</script>
<div id="notice" class="notice" role="status" aria-live="polite" aria-atomic="true"></div>
<noscript><p>${m.noScript}</p></noscript>

<section id="signin" aria-labelledby="signin-heading" class="card" hidden>
  <h2 id="signin-heading">${m.signInHeading}</h2>
  <p id="signin-intro">${m.signInIntro}</p>
  <form id="signin-form">
    <label for="token">${m.tokenLabel}</label>
    <textarea id="token" name="token" rows="3" required autocomplete="off" spellcheck="false" aria-describedby="signin-intro"></textarea>
    <button type="submit">${m.signIn}</button>
  </form>
</section>

<section id="session" aria-label="${m.signedInAs}" class="session" hidden>
  <p>${m.signedInAs} <strong id="me-name"></strong></p>
  <button type="button" id="signout" class="secondary">${m.signOut}</button>
</section>

<section id="mine" aria-labelledby="mine-heading" hidden>
  <h2 id="mine-heading">${m.mineHeading}</h2>
  <div id="mine-list"></div>
</section>

${staffSection(m)}`,
    outside: html`${staffDialogs(m)}`,
  });
}
