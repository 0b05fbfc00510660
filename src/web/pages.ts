import { Html, html, link, page } from "./html.js";
import { type Language, type Messages, messages, STAFF_KEYS } from "./i18n.js";
import { mentorSection, signInSection } from "./mentor-page.js";
import { staffDialogs, staffSection } from "./staff-page.js";
import { verifyForm } from "./verify-pages.js";

export function homePage(language: Language): string {
  const m = messages(language);
  return page({
    language,
    m,
    title: m.homeVerifyHeading,
    path: "/",
    styles: ["/assets/verify.css"],
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
export function appPage(language: Language, options: { platformUrl?: string | null } = {}): string {
  const m = messages(language);
  return page({
    language,
    m,
    title: m.appTitle,
    path: "/app",
    current: "app",
    scripts: ["/assets/app/main.js"],
    styles: ["/assets/staff.css", "/assets/mentor.css"],
    body: html`<h1>${m.appTitle}</h1>
<script type="application/json" id="app-strings">${new Html(appStrings(m))}</script>
<div id="notice" class="notice" role="status" aria-live="polite" aria-atomic="true"></div>
<noscript><p>${m.noScript}</p></noscript>

${signInSection(m, options.platformUrl ?? null)}

<section id="session" aria-label="${m.signedInAs}" class="session" hidden>
  <p>${m.signedInAs} <strong id="me-name"></strong></p>
  <button type="button" id="signout" class="secondary">${m.signOut}</button>
</section>

${mentorSection(m)}

${staffSection(m)}`,
    outside: html`${staffDialogs(m)}`,
  });
}
