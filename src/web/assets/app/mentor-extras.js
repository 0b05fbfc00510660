// Beside a mentor's certificates: the badges earned, and whom to contact in each organization.
import { api } from "./api.js";
import { $, el } from "./dom.js";
import { say } from "./notice.js";
import { state } from "./state.js";
import { fill, formatDate, S } from "./strings.js";

const BADGE_NAMES = {
  first_certification: () => S.badgeFirstCertification,
  three_certifications: () => S.badgeThreeCertifications,
};

export async function loadBadges(userId) {
  const { items } = await api("GET", `/v1/users/${userId}/badges`);
  $("badge-list").replaceChildren(
    items.length === 0
      ? el("p", {}, S.badgesNone)
      : el(
          "ul",
          { class: "badges" },
          items.map((b) =>
            el(
              "li",
              {},
              el("span", { class: "badge-name" }, (BADGE_NAMES[b.badge] ?? (() => b.badge))()),
              " ",
              el("span", { class: "hint" }, fill(S.badgeAwarded, { date: formatDate(b.awarded_at) })),
            ),
          ),
        ),
  );
}

export async function loadContacts(memberships) {
  const lists = await Promise.all(
    memberships.map((m) =>
      api("GET", `/v1/organizations/${m.organization_id}/contacts`).then(
        (answer) => [m.organization_id, answer.items],
        () => [m.organization_id, []],
      ),
    ),
  );
  const box = $("contact-list");
  box.replaceChildren(
    ...lists.map(([orgId, contacts]) =>
      el(
        "div",
        { class: "contacts" },
        el("h4", {}, state.orgNames.get(orgId) ?? ""),
        contacts.length === 0
          ? el("p", {}, S.contactsNone)
          : el(
              "ul",
              {},
              contacts.map((c) =>
                el(
                  "li",
                  {},
                  c.display_name,
                  " ",
                  el(
                    "span",
                    { class: "hint" },
                    `(${c.role === "coordinator" ? S.contactCoordinator : S.contactAdmin})`,
                  ),
                ),
              ),
            ),
      ),
    ),
  );
}

/** Copies text to the clipboard, and says whether it worked in the card's own message region. */
export async function copy(text, region) {
  try {
    await navigator.clipboard.writeText(text);
    say(S.mentorLinkCopied, false, region);
  } catch {
    say(S.mentorCopyFailed, true, region);
  }
}
