// The audit trail in words: who (by name), what, and each changed field as "before → after".
import { el, statusBadge, table } from "./dom.js";
import { memberName, state } from "./state.js";
import { formatDate, formatDateTime, S } from "./strings.js";

const ACTIONS = {
  issued: () => S.actionIssued,
  renewed: () => S.actionRenewed,
  revoked: () => S.actionRevoked,
  reinstated: () => S.actionReinstated,
  expired: () => S.actionExpired,
  expiring_soon: () => S.actionExpiringSoon,
  suspended: () => S.actionSuspended,
  unsuspended: () => S.actionUnsuspended,
  imported: () => S.actionImported,
  notes_changed: () => S.actionNotesChanged,
  expiry_changed: () => S.actionExpiryChanged,
};

const actionLabel = (action) =>
  (
    ACTIONS[action] ?? (() => (action.includes("+") || action.endsWith("updated") ? S.actionUpdated : action))
  )();

const FIELDS = {
  status: () => S.fieldStatus,
  expires_at: () => S.fieldExpiresAt,
  issued_at: () => S.fieldIssuedAt,
  notes: () => S.fieldNotes,
  revoked_at: () => S.fieldRevokedAt,
  revoked_by_user_id: () => S.fieldRevokedBy,
  revocation_reason: () => S.fieldRevocationReason,
  expiry_warning_sent_at: () => S.fieldWarningSent,
  certification_type_id: () => S.fieldType,
  user_id: () => S.holder,
  issued_by_user_id: () => S.fieldIssuedBy,
  source: () => S.source,
  suspended_at: () => S.fieldSuspendedAt,
  suspension_reason: () => S.fieldSuspensionReason,
};
const SKIPPED = new Set(["updated_at", "created_at", "id", "organization_id", "certificate_number"]);

/**
 * A person's name: as the server gave it with the trail (`known`: actors and the holder, which
 * stay after a membership is removed), else as a member, else the signed-in user's own.
 */
const personName = (userId, known = new Map()) =>
  known.get(userId) ??
  memberName(userId) ??
  (userId === state.me?.user_id ? state.me.display_name : null) ??
  S.unknownUser;

export function actorName(event) {
  if (event.actor_name) return event.actor_name;
  if (event.actor_display_name) return event.actor_display_name;
  if (event.actor_user_id) return personName(event.actor_user_id);
  if (event.actor?.startsWith("system:")) return S.system;
  if (event.actor?.startsWith("service:")) return `${S.serviceActor} ${event.actor.slice(8)}`;
  return S.unknownUser;
}

/** A value as a person reads it: dates, status words, names; never an id or JSON. */
function shown(key, value, known) {
  if (value === null || value === undefined || value === "") return S.none;
  if (key === "status") return statusBadge(value);
  if (key.endsWith("_at")) return formatDate(value);
  if (key.endsWith("user_id")) return personName(value, known);
  if (key === "certification_type_id") return state.types.get(value) ?? S.unknownType;
  if (key === "source") return value === "course_completion" ? S.sourceCourse : S.sourceManual;
  if (typeof value === "object") return S.changed;
  return String(value);
}

function changes(before, after, known) {
  if (!after || typeof after !== "object") return [];
  if (!before || typeof before !== "object") {
    // A new certification: what it was made with.
    return ["status", "issued_at", "expires_at"]
      .filter((key) => key in after)
      .map((key) =>
        el("li", {}, el("span", { class: "field" }, FIELDS[key]()), ": ", shown(key, after[key], known)),
      );
  }
  const lines = [];
  for (const key of Object.keys(after)) {
    if (SKIPPED.has(key)) continue;
    if (JSON.stringify(before[key] ?? null) === JSON.stringify(after[key] ?? null)) continue;
    const label = FIELDS[key] ? FIELDS[key]() : key.replaceAll("_", " ");
    lines.push(
      el(
        "li",
        {},
        el("span", { class: "field" }, label),
        ": ",
        shown(key, before[key], known),
        el("span", { "aria-hidden": "true" }, " → "),
        el("span", { class: "visually-hidden" }, ` ${S.changedTo} `),
        shown(key, after[key], known),
      ),
    );
  }
  return lines;
}

/** The trail of one certification (`certification` names its holder, when the server did). */
export function auditTable(events, certification = null) {
  const known = new Map(
    events
      .filter((e) => e.actor_user_id && e.actor_display_name)
      .map((e) => [e.actor_user_id, e.actor_display_name]),
  );
  if (certification?.holder_display_name) known.set(certification.user_id, certification.holder_display_name);
  return table(
    S.auditCaption,
    [S.colWhen, S.colAction, S.colActor, S.colReason, S.colChanges],
    events.map((e) => {
      const lines = changes(e.before, e.after, known);
      return el(
        "tr",
        {},
        el("td", {}, formatDateTime(e.occurred_at)),
        el("td", {}, actionLabel(e.action)),
        el("td", {}, actorName(e)),
        el("td", {}, e.reason ?? ""),
        el("td", {}, lines.length ? el("ul", { class: "change-list" }, lines) : ""),
      );
    }),
  );
}
