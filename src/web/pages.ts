import type { Verification } from "../services/verify-certificate.js";
import { Html, html, link, page, statusIcon } from "./html.js";
import { formatDate, type Language, type Messages, messages, verificationStatus } from "./i18n.js";

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
  const picked = Object.fromEntries(APP_STRINGS.map((key) => [key, m[key]]));
  // JSON in a data block: "<" is escaped so no text can close the element.
  return JSON.stringify(picked).replaceAll("<", "\\u003c");
}

/**
 * The signed-in area's frame. The script fills it from the JSON API with the token it keeps in
 * sessionStorage; every control is here, labelled, in the order of the page.
 */
export function appPage(language: Language): string {
  const m = messages(language);
  const statusOptions = html`<option value="">${m.statusAll}</option>
      <option value="active">${m.statusActive}</option>
      <option value="expiring_soon">${m.statusExpiringSoonShort}</option>
      <option value="expired">${m.statusExpired}</option>
      <option value="revoked">${m.statusRevoked}</option>`;
  return page({
    language,
    m,
    title: m.appTitle,
    path: "/app",
    current: "app",
    scripts: ["/assets/app/main.js"],
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

<section id="staff" aria-labelledby="staff-heading" hidden>
  <h2 id="staff-heading">${m.staffHeading}</h2>
  <div class="field">
    <label for="org">${m.organization}</label>
    <select id="org"></select>
  </div>
  <form id="filters" class="filters" aria-labelledby="filters-heading">
    <h3 id="filters-heading">${m.filtersHeading}</h3>
    <div class="field">
      <label for="filter-status">${m.filterStatus}</label>
      <select id="filter-status" name="status">${statusOptions}</select>
    </div>
    <div class="field">
      <label for="filter-type">${m.filterType}</label>
      <select id="filter-type" name="type"></select>
    </div>
    <div class="field">
      <label for="filter-page-size">${m.pageSize}</label>
      <select id="filter-page-size" name="limit">
        <option value="5">5</option>
        <option value="20" selected>20</option>
        <option value="50">50</option>
        <option value="100">100</option>
      </select>
    </div>
    <div class="field checkbox">
      <input type="checkbox" id="filter-expiring" name="expiring">
      <label for="filter-expiring">${m.filterExpiringSoon}</label>
    </div>
    <button type="submit">${m.filterButton}</button>
  </form>
  <div id="list"></div>
  <nav id="pagination" class="pagination" aria-label="${m.paginationLabel}" hidden>
    <button type="button" id="prev-page" class="secondary">${m.previousPage}</button>
    <button type="button" id="next-page" class="secondary">${m.nextPage}</button>
  </nav>

  <form id="grant-form" class="card" aria-labelledby="grant-heading">
    <h3 id="grant-heading">${m.grantHeading}</h3>
    <div class="field">
      <label for="grant-member">${m.member}</label>
      <select id="grant-member" name="user_id" required></select>
    </div>
    <div class="field">
      <label for="grant-type">${m.grantType}</label>
      <select id="grant-type" name="certification_type_id" required></select>
    </div>
    <div class="field">
      <label for="grant-issued">${m.issuedAtOptional}</label>
      <input type="date" id="grant-issued" name="issued_at">
    </div>
    <div class="field">
      <label for="grant-expires">${m.expiresAtOptional}</label>
      <input type="date" id="grant-expires" name="expires_at">
    </div>
    <div class="field">
      <label for="grant-notes">${m.notesOptional}</label>
      <textarea id="grant-notes" name="notes" rows="2" maxlength="2000"></textarea>
    </div>
    <button type="submit">${m.grant}</button>
  </form>
</section>

<section id="detail" aria-labelledby="detail-heading" hidden>
  <h2 id="detail-heading" tabindex="-1"></h2>
  <div id="detail-facts"></div>
  <div id="detail-actions" class="detail-actions">
    <p><a id="detail-pdf" href="#">${m.downloadPdf}</a></p>
    <form id="renew-form" class="inline-form" aria-labelledby="renew-heading">
      <h3 id="renew-heading">${m.renewHeading}</h3>
      <div class="field">
        <label for="renew-expires">${m.newExpiry}</label>
        <input type="date" id="renew-expires" name="expires_at">
      </div>
      <button type="submit">${m.renew}</button>
    </form>
    <p><button type="button" id="revoke-open" class="danger">${m.revoke}</button></p>
  </div>
  <h3 id="audit-heading">${m.auditHeading}</h3>
  <div id="audit"></div>
  <p><button type="button" id="detail-close" class="secondary">${m.closeDetail}</button></p>
</section>`,
    outside: html`<dialog id="revoke-dialog" aria-labelledby="revoke-heading" aria-describedby="revoke-intro">
  <form id="revoke-form" method="dialog">
    <h2 id="revoke-heading"></h2>
    <p id="revoke-intro">${m.revokeIntro}</p>
    <div class="field">
      <label for="revoke-reason">${m.reason}</label>
      <textarea id="revoke-reason" name="reason" rows="4" required maxlength="2000"></textarea>
    </div>
    <div class="actions">
      <button type="button" id="revoke-cancel" class="secondary">${m.cancel}</button>
      <button type="submit" id="revoke-confirm" class="danger">${m.revoke}</button>
    </div>
  </form>
</dialog>`,
  });
}
