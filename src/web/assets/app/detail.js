// Staff: one certification, its renewal and its audit trail.
import { api, attempt } from "./api.js";
import { osloMidnight } from "./dates.js";
import { $, el, fact, statusBadge, table } from "./dom.js";
import { say } from "./notice.js";
import { pdfLink } from "./pdf.js";
import { state } from "./state.js";
import { fill, formatDate, formatDateTime, S } from "./strings.js";

const ACTIONS = {
  issued: () => S.actionIssued,
  renewed: () => S.actionRenewed,
  revoked: () => S.actionRevoked,
  reinstated: () => S.actionReinstated,
  expired: () => S.actionExpired,
  expiring_soon: () => S.actionExpiringSoon,
};

function actorName(event) {
  if (event.actor_user_id) return state.members.get(event.actor_user_id) ?? event.actor_user_id;
  if (event.actor.startsWith("system:")) return S.system;
  return event.actor;
}

function changes(before, after) {
  if (!before || !after || typeof before !== "object" || typeof after !== "object") return "";
  const lines = [];
  for (const key of Object.keys(after)) {
    if (key === "updated_at") continue;
    const was = JSON.stringify(before[key] ?? null);
    const now = JSON.stringify(after[key] ?? null);
    if (was !== now) lines.push(`${key}: ${was} → ${now}`);
  }
  return lines.join("\n");
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
      fact(S.holder, state.members.get(c.user_id) ?? c.user_id),
      fact(S.factType, state.types.get(c.certification_type_id) ?? c.certification_type_id),
      fact(S.factIssued, formatDate(c.issued_at)),
      fact(S.factExpires, formatDate(c.expires_at)),
      fact(S.source, c.source === "course_completion" ? S.sourceCourse : S.sourceManual),
      c.notes ? fact(S.notes, c.notes) : null,
      c.revocation_reason ? fact(S.revokedReason, c.revocation_reason) : null,
    ),
  );
  $("detail-pdf").replaceWith(Object.assign(pdfLink(c), { id: "detail-pdf" }));
  const revoked = c.status === "revoked";
  $("renew-form").hidden = revoked;
  $("revoke-open").parentElement.hidden = revoked;
  $("audit").replaceChildren(
    table(
      S.auditCaption,
      [S.colWhen, S.colAction, S.colActor, S.colReason, S.colChanges],
      events.items.map((e) =>
        el(
          "tr",
          {},
          el("td", {}, formatDateTime(e.occurred_at)),
          el(
            "td",
            {},
            (
              ACTIONS[e.action] ??
              (() => (e.action.includes("+") || e.action === "updated" ? S.actionUpdated : e.action))
            )(),
          ),
          el("td", {}, actorName(e)),
          el("td", {}, e.reason ?? ""),
          el("td", { class: "changes" }, changes(e.before, e.after)),
        ),
      ),
    ),
  );
  $("detail").hidden = false;
  if (focus) $("detail-heading").focus();
}

/** `reloadList`: refreshes the list after a change made here (list.js opens the detail, so it is passed in). */
export function wireDetail(reloadList) {
  $("detail-close").addEventListener("click", () => {
    $("detail").hidden = true;
    const back = state.opener && document.contains(state.opener) ? state.opener : $("staff-heading");
    if (back === $("staff-heading")) back.setAttribute("tabindex", "-1");
    back.focus();
  });

  $("renew-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const c = state.detail;
    const value = $("renew-expires").value;
    attempt(async () => {
      await api("POST", `/v1/certifications/${c.id}/renew`, value ? { expires_at: osloMidnight(value) } : {});
      $("renew-expires").value = "";
      say(fill(S.renewed, { number: c.certificate_number }));
      await Promise.all([reloadList(), openDetail(c.id, state.opener, false)]);
    });
  });
}
