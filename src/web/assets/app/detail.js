// Staff: one certification — its facts, renew, revoke, suspend, reinstate, and its audit trail.
import { api, attempt } from "./api.js";
import { auditTable } from "./audit.js";
import { credentialLink } from "./credential.js";
import { osloMidnight } from "./dates.js";
import { $, el, fact, statusBadge } from "./dom.js";
import { features } from "./features.js";
import { askReason } from "./modal.js";
import { say } from "./notice.js";
import { pdfLink } from "./pdf.js";
import { memberName, state } from "./state.js";
import { fill, formatDate, S } from "./strings.js";

let afterChange = async () => {};
/** What to refresh once a certification changed (the view in which it was opened). */
export function onCertificationChanged(handler) {
  afterChange = handler;
}

export async function openDetail(id, opener, focus = true) {
  const [certification, events] = await Promise.all([
    api("GET", `/v1/certifications/${id}`),
    api("GET", `/v1/certifications/${id}/events`),
  ]);
  state.detail = certification;
  state.opener = opener;
  const c = certification;
  $("detail-heading").textContent = fill(S.detailHeading, { number: c.certificate_number });
  $("detail-facts").replaceChildren(
    el(
      "dl",
      { class: "facts" },
      fact(S.factStatus, statusBadge(c.status)),
      fact(S.holder, c.holder_display_name ?? memberName(c.user_id) ?? S.unknownUser),
      fact(S.factType, state.types.get(c.certification_type_id) ?? S.unknownType),
      fact(S.factIssued, formatDate(c.issued_at)),
      fact(S.factExpires, formatDate(c.expires_at)),
      fact(S.source, c.source === "course_completion" ? S.sourceCourse : S.sourceManual),
      c.notes ? fact(S.notes, c.notes) : null,
      c.revocation_reason ? fact(S.revokedReason, c.revocation_reason) : null,
    ),
  );
  $("detail-pdf").replaceWith(Object.assign(pdfLink(c), { id: "detail-pdf" }));
  $("detail-credential").replaceWith(Object.assign(credentialLink(c), { id: "detail-credential" }));
  const revoked = c.status === "revoked";
  $("renew-form").hidden = revoked || c.status === "suspended";
  $("revoke-open").hidden = revoked;
  $("suspend-open").hidden = !features.suspend || !["active", "expiring_soon"].includes(c.status);
  $("unsuspend-open").hidden = !features.suspend || c.status !== "suspended";
  $("reinstate-open").hidden = !revoked || !state.me?.is_global_admin;
  $("audit").replaceChildren(auditTable(events.items, c));
  $("detail").hidden = false;
  if (focus) $("detail-heading").focus();
}

/** Refreshes the certification and its view first, then says what happened. */
async function changed(c, message) {
  await Promise.all([afterChange(), openDetail(c.id, state.opener, false)]);
  say(fill(message, { number: c.certificate_number }), false, "detail-msg");
}

/** The reason dialog for one action on the certification in view. */
function reasonAction(button, { heading, intro, confirm, danger, path, done }) {
  $(button).addEventListener("click", (event) => {
    const c = state.detail;
    askReason({
      heading: fill(heading(), { number: c.certificate_number }),
      intro: intro(),
      confirm: confirm(),
      danger,
      opener: event.currentTarget,
      say,
      submit: (reason) => api("POST", `/v1/certifications/${c.id}/${path}`, { reason }),
      after: async () => {
        await attempt(() => changed(c, done()), "detail-msg");
        if ($(button).hidden) $("detail-heading").focus();
      },
    });
  });
}

export function wireDetail() {
  $("detail-close").addEventListener("click", () => {
    $("detail").hidden = true;
    const back = state.opener && document.contains(state.opener) ? state.opener : $("staff-heading");
    back.focus();
  });

  $("renew-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const c = state.detail;
    const value = $("renew-expires").value;
    attempt(async () => {
      await api("POST", `/v1/certifications/${c.id}/renew`, value ? { expires_at: osloMidnight(value) } : {});
      $("renew-expires").value = "";
      await changed(c, S.renewed);
    }, "detail-msg");
  });

  reasonAction("revoke-open", {
    heading: () => S.revokeHeading,
    intro: () => S.revokeIntro,
    confirm: () => S.revoke,
    danger: true,
    path: "revoke",
    done: () => S.revoked,
  });
  reasonAction("suspend-open", {
    heading: () => S.suspendHeading,
    intro: () => S.suspendIntro,
    confirm: () => S.suspend,
    danger: true,
    path: "suspend",
    done: () => S.suspended,
  });
  reasonAction("unsuspend-open", {
    heading: () => S.unsuspendHeading,
    intro: () => S.unsuspendIntro,
    confirm: () => S.unsuspend,
    danger: false,
    path: "unsuspend",
    done: () => S.unsuspended,
  });
  reasonAction("reinstate-open", {
    heading: () => S.reinstateHeading,
    intro: () => S.reinstateIntro,
    confirm: () => S.reinstate,
    danger: false,
    path: "reinstate",
    done: () => S.reinstated,
  });
}
