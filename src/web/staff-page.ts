import { type Html, html } from "./html.js";
import type { Messages } from "./i18n.js";

/**
 * The staff workspace of /app (CONTRACT §7): one view at a time, chosen in the staff menu
 * (`?view=`), each with its forms labelled and a message region beside the form it answers.
 * The script (assets/app/*.js) fills the lists from the JSON API.
 */

/** A polite live region next to a form: the answer to what was just done there. */
/**
 * The text a heading or button has before a script fills it in: never empty, so that the page as
 * served names every heading and control (HTML CodeSniffer H42.2, H91).
 */
const placeholderless = (text: string) => text.replace(/\s*\{\w+\}/g, "").trim();

const message = (id: string) => html`<div id="${id}" class="msg" role="status" aria-live="polite"></div>`;

const VIEWS = [
  ["certs", "viewCerts"],
  ["expiring", "viewExpiring"],
  ["grant", "viewGrant"],
  ["members", "viewMembers"],
  ["import", "viewImport"],
  ["report", "viewReport"],
  ["types", "viewTypes"],
  ["admin", "viewAdmin"],
] as const satisfies readonly (readonly [string, keyof Messages])[];

function staffNav(m: Messages): Html {
  return html`<nav id="staff-nav" class="tabs" aria-label="${m.staffNavLabel}">
  <ul>${VIEWS.map(
    ([view, key]) =>
      html`<li data-view-item="${view}"><a href="/app?view=${view}" data-view="${view}">${m[key]}</a></li>`,
  )}</ul>
</nav>`;
}

function statusOptions(m: Messages): Html {
  return html`<option value="">${m.statusAll}</option>
      <option value="active">${m.statusActive}</option>
      <option value="expiring_soon">${m.statusExpiringSoonShort}</option>
      <option value="suspended">${m.staffStatusSuspended}</option>
      <option value="expired">${m.statusExpired}</option>
      <option value="revoked">${m.statusRevoked}</option>`;
}

function certsView(m: Messages): Html {
  return html`<section id="view-certs" class="view" aria-labelledby="certs-heading" hidden>
  <h3 id="certs-heading" tabindex="-1">${m.viewCerts}</h3>
  <div id="counts" class="counts" aria-label="${m.countsLabel}" role="group"></div>
  <form id="filters" class="filters" role="search" aria-label="${m.filtersHeading}">
    <div class="field grow">
      <label for="filter-q">${m.searchLabel}</label>
      <input type="search" id="filter-q" name="q" autocomplete="off" spellcheck="false" aria-describedby="filter-q-hint">
      <p class="hint" id="filter-q-hint">${m.searchHint}</p>
    </div>
    <div class="field">
      <label for="filter-status">${m.filterStatus}</label>
      <select id="filter-status" name="status">${statusOptions(m)}</select>
    </div>
    <div class="field">
      <label for="filter-type">${m.filterType}</label>
      <select id="filter-type" name="type"></select>
    </div>
    <div class="field">
      <label for="filter-before">${m.expiresBefore}</label>
      <input type="date" id="filter-before" name="expires_before">
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
    <div class="field"><button type="submit">${m.filterButton}</button></div>
  </form>
  <p class="tools">
    <a id="export-link" href="#" class="button-link">${m.exportCsv}</a>
    <button type="button" id="bulk-open" class="danger" disabled>${m.bulkRevokeButton}</button>
  </p>
  ${message("certs-msg")}
  <div id="list"></div>
  <nav id="pagination" class="pagination" aria-label="${m.paginationLabel}" hidden>
    <button type="button" id="prev-page" class="secondary">${m.previousPage}</button>
    <button type="button" id="next-page" class="secondary">${m.nextPage}</button>
  </nav>
</section>`;
}

function expiringView(m: Messages): Html {
  return html`<section id="view-expiring" class="view" aria-labelledby="expiring-heading" hidden>
  <h3 id="expiring-heading" tabindex="-1">${m.viewExpiring}</h3>
  <p>${m.expiringIntro}</p>
  <form id="expiring-form" class="filters" aria-label="${m.viewExpiring}">
    <div class="field">
      <label for="expiring-before">${m.expiresBefore}</label>
      <input type="date" id="expiring-before" name="before" required>
    </div>
    <div class="field"><button type="submit">${m.showButton}</button></div>
  </form>
  ${message("expiring-msg")}
  <div id="expiring-weeks"></div>
  <div id="expiring-list"></div>
</section>`;
}

function grantView(m: Messages): Html {
  return html`<section id="view-grant" class="view" aria-labelledby="grant-heading" hidden>
  <h3 id="grant-heading" tabindex="-1">${m.grantHeading}</h3>
  <form id="grant-form" class="card">
    <fieldset class="picker">
      <legend>${m.member}</legend>
      <label for="grant-member-q">${m.memberSearch}</label>
      <input type="search" id="grant-member-q" autocomplete="off" spellcheck="false" aria-describedby="grant-member-hint">
      <p class="hint" id="grant-member-hint">${m.memberSearchHint}</p>
      <div id="grant-member-results" class="choices"></div>
    </fieldset>
    <div class="field">
      <label for="grant-type">${m.grantType}</label>
      <select id="grant-type" name="certification_type_id" required><option value="">${m.chooseType}</option></select>
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
    ${message("grant-msg")}
  </form>
</section>`;
}

function membersView(m: Messages): Html {
  return html`<section id="view-members" class="view" aria-labelledby="members-heading" hidden>
  <h3 id="members-heading" tabindex="-1">${m.viewMembers}</h3>
  <form id="add-member-form" class="card" aria-labelledby="add-member-heading">
    <h4 id="add-member-heading">${m.addMentorHeading}</h4>
    <div class="field">
      <label for="add-member-name">${m.displayName}</label>
      <input type="text" id="add-member-name" name="display_name" required maxlength="200" autocomplete="off">
    </div>
    <div class="field">
      <label for="add-member-id">${m.platformUserId}</label>
      <input type="text" id="add-member-id" name="user_id" autocomplete="off" spellcheck="false" aria-describedby="add-member-id-hint">
      <p class="hint" id="add-member-id-hint">${m.platformUserIdHint}</p>
    </div>
    <div class="field" id="add-member-role-field" hidden>
      <label for="add-member-role">${m.role}</label>
      <select id="add-member-role" name="role"></select>
    </div>
    <button type="submit">${m.addMentorButton}</button>
    ${message("add-member-msg")}
    <p id="add-member-next" hidden></p>
  </form>
  <form id="members-filter" class="filters" role="search" aria-label="${m.membersSearchLabel}">
    <div class="field grow">
      <label for="members-q">${m.membersSearchLabel}</label>
      <input type="search" id="members-q" autocomplete="off" spellcheck="false">
    </div>
    <div class="field">
      <label for="members-role">${m.role}</label>
      <select id="members-role"></select>
    </div>
    <div class="field"><button type="submit">${m.filterButton}</button></div>
  </form>
  ${message("members-msg")}
  <div id="members-list"></div>
</section>`;
}

function importView(m: Messages): Html {
  return html`<section id="view-import" class="view" aria-labelledby="import-heading" hidden>
  <h3 id="import-heading" tabindex="-1">${m.viewImport}</h3>
  <p id="import-intro">${m.importIntro}</p>
  <form id="import-form" class="card">
    <div class="field">
      <label for="import-file">${m.importFile}</label>
      <input type="file" id="import-file" name="file" accept=".csv,text/csv" aria-describedby="import-intro">
    </div>
    <div class="actions">
      <button type="button" id="import-check" class="secondary" disabled>${m.importCheck}</button>
      <button type="submit" id="import-run" disabled>${m.importRun}</button>
    </div>
    <div id="import-progress-box" class="field" hidden>
      <label for="import-progress">${m.importProgress}</label>
      <progress id="import-progress" max="100" value="0"></progress>
    </div>
    ${message("import-msg")}
    <div id="import-report"></div>
  </form>
</section>`;
}

function reportView(m: Messages): Html {
  return html`<section id="view-report" class="view" aria-labelledby="report-heading" hidden>
  <h3 id="report-heading" tabindex="-1">${m.viewReport}</h3>
  <p>${m.reportIntro}</p>
  <form id="report-form" class="filters" aria-label="${m.viewReport}">
    <div class="field">
      <label for="report-year">${m.reportYear}</label>
      <input type="number" id="report-year" name="year" min="1900" max="9998" required inputmode="numeric">
    </div>
    <div class="field"><button type="submit">${m.showButton}</button></div>
  </form>
  ${message("report-msg")}
  <div id="report-result"></div>
</section>`;
}

function typesView(m: Messages): Html {
  return html`<section id="view-types" class="view" aria-labelledby="types-heading" hidden>
  <h3 id="types-heading" tabindex="-1">${m.viewTypes}</h3>
  ${message("types-msg")}
  <div id="types-list"></div>
  <form id="type-form" class="card" aria-labelledby="type-form-heading">
    <h4 id="type-form-heading">${m.typeCreateHeading}</h4>
    <div class="field">
      <label for="type-name">${m.typeName}</label>
      <input type="text" id="type-name" name="name" required maxlength="200" autocomplete="off">
    </div>
    <div class="field">
      <label for="type-validity">${m.typeValidity}</label>
      <input type="number" id="type-validity" name="validity_months" min="1" max="1200" inputmode="numeric" aria-describedby="type-validity-hint">
      <p class="hint" id="type-validity-hint">${m.typeValidityHint}</p>
    </div>
    <div class="field">
      <label for="type-warning">${m.typeWarning}</label>
      <input type="number" id="type-warning" name="warning_days" min="0" max="3650" inputmode="numeric">
    </div>
    <button type="submit">${m.typeCreate}</button>
    ${message("type-form-msg")}
  </form>
</section>`;
}

function adminView(m: Messages): Html {
  return html`<section id="view-admin" class="view" aria-labelledby="admin-heading" hidden>
  <h3 id="admin-heading" tabindex="-1">${m.viewAdmin}</h3>
  <form id="org-form" class="card" aria-labelledby="org-form-heading">
    <h4 id="org-form-heading">${m.orgCreateHeading}</h4>
    <div class="field">
      <label for="org-name">${m.orgName}</label>
      <input type="text" id="org-name" name="name" required maxlength="200" autocomplete="off">
    </div>
    <div class="field">
      <label for="org-prefix">${m.orgPrefix}</label>
      <input type="text" id="org-prefix" name="prefix" required pattern="[A-Z][A-Z0-9]{1,9}" autocapitalize="characters" autocomplete="off" aria-describedby="org-prefix-hint">
      <p class="hint" id="org-prefix-hint">${m.orgPrefixHint}</p>
    </div>
    <div class="field">
      <label for="org-tz">${m.orgTimeZone}</label>
      <input type="text" id="org-tz" name="time_zone" value="Europe/Oslo" autocomplete="off">
    </div>
    <button type="submit">${m.orgCreate}</button>
    ${message("org-form-msg")}
  </form>
  <section aria-labelledby="dead-heading">
    <h4 id="dead-heading">${m.deadJobsHeading}</h4>
    <p>${m.deadJobsIntro}</p>
    <button type="button" id="dead-refresh" class="secondary">${m.refresh}</button>
    ${message("dead-msg")}
    <div id="dead-list"></div>
  </section>
</section>`;
}

/** The staff section: organization, menu and views. */
export function staffSection(m: Messages): Html {
  return html`<section id="staff" aria-labelledby="staff-heading" hidden>
  <h2 id="staff-heading" tabindex="-1">${m.staffHeading}</h2>
  <div class="field">
    <label for="org">${m.organization}</label>
    <select id="org"></select>
  </div>
  ${staffNav(m)}
  ${certsView(m)}
  ${expiringView(m)}
  ${grantView(m)}
  ${membersView(m)}
  ${importView(m)}
  ${reportView(m)}
  ${typesView(m)}
  ${adminView(m)}
</section>

<section id="detail" aria-labelledby="detail-heading" hidden>
  <h2 id="detail-heading" tabindex="-1">${placeholderless(m.detailHeading)}</h2>
  <div id="detail-facts"></div>
  ${message("detail-msg")}
  <div id="detail-actions" class="detail-actions">
    <p><a id="detail-pdf" href="#">${m.downloadPdf}</a> · <a id="detail-credential" href="#">${m.downloadCredential}</a></p>
    <form id="renew-form" class="inline-form" aria-labelledby="renew-heading">
      <h3 id="renew-heading">${m.renewHeading}</h3>
      <p class="hint" id="renew-hint">${m.renewHint}</p>
      <div class="field">
        <label for="renew-expires">${m.newExpiry}</label>
        <input type="date" id="renew-expires" name="expires_at" aria-describedby="renew-hint">
      </div>
      <button type="submit">${m.renew}</button>
    </form>
    <p class="actions">
      <button type="button" id="revoke-open" class="danger">${m.revoke}</button>
      <button type="button" id="suspend-open" class="secondary" hidden>${m.suspend}</button>
      <button type="button" id="unsuspend-open" class="secondary" hidden>${m.unsuspend}</button>
      <button type="button" id="reinstate-open" class="secondary" hidden>${m.reinstate}</button>
    </p>
  </div>
  <h3 id="audit-heading">${m.auditHeading}</h3>
  <div id="audit"></div>
  <p><button type="button" id="detail-close" class="secondary">${m.closeDetail}</button></p>
</section>`;
}

/** Modal dialogs, outside the page frame so the frame can be made inert under them. */
export function staffDialogs(m: Messages): Html {
  return html`<dialog id="reason-dialog" aria-labelledby="reason-heading" aria-describedby="reason-intro">
  <form id="reason-form" method="dialog">
    <h2 id="reason-heading">${placeholderless(m.revokeHeading)}</h2>
    <p id="reason-intro"></p>
    <div class="field">
      <label for="reason-text">${m.reason}</label>
      <textarea id="reason-text" name="reason" rows="4" required maxlength="2000"></textarea>
    </div>
    ${message("reason-msg")}
    <div class="actions">
      <button type="button" class="secondary" data-close>${m.cancel}</button>
      <button type="submit" id="reason-confirm" class="danger">${m.revoke}</button>
    </div>
  </form>
</dialog>
<dialog id="bulk-dialog" aria-labelledby="bulk-heading" aria-describedby="bulk-intro">
  <form id="bulk-form" method="dialog">
    <h2 id="bulk-heading">${m.bulkHeading}</h2>
    <p id="bulk-intro">${m.bulkIntro}</p>
    <div id="bulk-preview"></div>
    <div class="field">
      <label for="bulk-reason">${m.reason}</label>
      <textarea id="bulk-reason" name="reason" rows="3" required maxlength="2000"></textarea>
    </div>
    ${message("bulk-msg")}
    <div class="actions">
      <button type="button" class="secondary" data-close>${m.cancel}</button>
      <button type="submit" id="bulk-confirm" class="danger">${placeholderless(m.bulkConfirm)}</button>
    </div>
  </form>
</dialog>
<dialog id="type-dialog" aria-labelledby="type-edit-heading">
  <form id="type-edit-form" method="dialog">
    <h2 id="type-edit-heading">${placeholderless(m.typeEditHeading)}</h2>
    <div class="field">
      <label for="type-edit-name">${m.typeName}</label>
      <input type="text" id="type-edit-name" required maxlength="200" autocomplete="off">
    </div>
    <div class="field">
      <label for="type-edit-validity">${m.typeValidity}</label>
      <input type="number" id="type-edit-validity" min="1" max="1200" inputmode="numeric" aria-describedby="type-edit-hint">
      <p class="hint" id="type-edit-hint">${m.typeEditHint}</p>
    </div>
    <div class="field">
      <label for="type-edit-warning">${m.typeWarning}</label>
      <input type="number" id="type-edit-warning" min="0" max="3650" inputmode="numeric">
    </div>
    ${message("type-edit-msg")}
    <div class="actions">
      <button type="button" class="secondary" data-close>${m.cancel}</button>
      <button type="submit">${m.save}</button>
    </div>
  </form>
</dialog>
<dialog id="confirm-dialog" aria-labelledby="confirm-heading" aria-describedby="confirm-intro">
  <form id="confirm-form" method="dialog">
    <h2 id="confirm-heading">${m.confirmAction}</h2>
    <p id="confirm-intro"></p>
    ${message("confirm-msg")}
    <div class="actions">
      <button type="button" class="secondary" data-close>${m.cancel}</button>
      <button type="submit" id="confirm-ok" class="danger">${m.confirmAction}</button>
    </div>
  </form>
</dialog>`;
}
