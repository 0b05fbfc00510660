// Staff: members — add a peer mentor (coordinators), search; org admins change roles and remove.
import { api, attempt } from "./api.js";
import { $, button, el, options, ROLE_NAMES, roleLabel, table } from "./dom.js";
import { features } from "./features.js";
import { grantTo } from "./grant.js";
import { askConfirm } from "./modal.js";
import { say } from "./notice.js";
import { loadMembers } from "./org.js";
import { memberFacts } from "./picker.js";
import { isOrgAdmin, state } from "./state.js";
import { fill, locale, S } from "./strings.js";
import { registerView } from "./views.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function roleCell(m) {
  if (!isOrgAdmin()) return roleLabel(m.role);
  const id = `role-${m.user_id}`;
  const select = el(
    "select",
    { id, "aria-label": fill(S.roleFor, { name: m.display_name }) },
    ROLE_NAMES.map((role) => el("option", { value: role, selected: role === m.role }, roleLabel(role))),
  );
  const save = button(S.save, {
    class: "secondary",
    "aria-label": fill(S.saveRoleFor, { name: m.display_name }),
    onclick: () =>
      attempt(async () => {
        await api("PUT", `/v1/organizations/${state.orgId}/members/${m.user_id}`, {
          role: select.value,
          display_name: m.display_name,
        });
        say(
          fill(S.roleChanged, { name: m.display_name, role: roleLabel(select.value).toLocaleLowerCase() }),
          false,
          "members-msg",
        );
        await loadMembers();
        m.role = select.value;
      }, "members-msg"),
  });
  return el("div", { class: "inline-controls" }, select, save);
}

function removeButton(m) {
  if (!isOrgAdmin() || !features.removeMember) return "";
  return button(S.removeMember, {
    class: "danger",
    "aria-label": fill(S.removeMemberFor, { name: m.display_name }),
    onclick: (event) =>
      askConfirm({
        heading: fill(S.removeHeading, { name: m.display_name }),
        intro: S.removeIntro,
        confirm: S.removeMember,
        opener: event.currentTarget,
        say,
        submit: async () => {
          await api("DELETE", `/v1/organizations/${state.orgId}/members/${m.user_id}`);
          say(fill(S.memberRemoved, { name: m.display_name }), false, "members-msg");
          await loadMembers();
          renderMembers();
        },
      }),
  });
}

function renderMembers() {
  const needle = $("members-q").value.trim().toLocaleLowerCase(locale);
  const role = $("members-role").value;
  const shown = state.memberList.filter(
    (m) =>
      (!role || m.role === role) && (!needle || m.display_name.toLocaleLowerCase(locale).includes(needle)),
  );
  const headers = [S.displayName, S.role, S.memberFactsColumn, S.colActions];
  $("members-list").replaceChildren(
    el(
      "p",
      { class: "summary" },
      fill(S.membersCount, { count: shown.length, total: state.memberList.length }),
    ),
    shown.length
      ? table(
          S.membersCaption,
          headers,
          shown.slice(0, 200).map((m) =>
            el(
              "tr",
              {},
              el("th", { scope: "row" }, m.display_name),
              el("td", {}, roleCell(m)),
              el("td", {}, memberFacts(m)),
              el(
                "td",
                {},
                el(
                  "div",
                  { class: "inline-controls" },
                  button(S.grantTo, {
                    class: "secondary",
                    "aria-label": fill(S.grantToName, { name: m.display_name }),
                    onclick: () => grantTo(m.user_id),
                  }),
                  removeButton(m),
                ),
              ),
            ),
          ),
        )
      : el("p", {}, S.membersNone),
  );
}

export function wireMembers() {
  options(
    $("members-role"),
    ROLE_NAMES.map((r) => [r, roleLabel(r)]),
    S.allRoles,
  );
  registerView("members", async () => {
    const admin = isOrgAdmin();
    $("add-member-role-field").hidden = !admin;
    options(
      $("add-member-role"),
      (admin ? ROLE_NAMES : ["peer_mentor"]).map((r) => [r, roleLabel(r)]),
    );
    renderMembers();
  });
  $("members-filter").addEventListener("submit", (event) => {
    event.preventDefault();
    renderMembers();
  });
  $("members-q").addEventListener("input", renderMembers);

  $("add-member-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const name = $("add-member-name").value.trim();
    const given = $("add-member-id").value.trim();
    if (given && !UUID.test(given)) {
      say(S.userIdInvalid, true, "add-member-msg");
      $("add-member-id").focus();
      return;
    }
    const userId = (given || crypto.randomUUID()).toLowerCase();
    const role = $("add-member-role").value || "peer_mentor";
    attempt(async () => {
      await api("PUT", `/v1/organizations/${state.orgId}/members/${userId}`, { role, display_name: name });
      await loadMembers();
      event.target.reset();
      say(fill(S.memberAdded, { name, role: roleLabel(role).toLocaleLowerCase() }), false, "add-member-msg");
      const next = $("add-member-next");
      next.replaceChildren(
        button(fill(S.grantToName, { name }), { class: "secondary", onclick: () => grantTo(userId) }),
      );
      next.hidden = false;
      renderMembers();
    }, "add-member-msg");
  });
}
