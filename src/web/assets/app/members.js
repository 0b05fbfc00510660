// Staff: members — add a peer mentor (coordinators), search; org admins change roles and remove.
// The search runs on the server (name in part, any case, a certificate number or an id), a page
// at a time: "show more" follows next_cursor, so an organization of any size is listed in full.
import { api, attempt } from "./api.js";
import { $, button, el, options, ROLE_NAMES, roleLabel, table } from "./dom.js";
import { features } from "./features.js";
import { grantTo } from "./grant.js";
import { askConfirm } from "./modal.js";
import { say } from "./notice.js";
import { loadMembers } from "./org.js";
import { memberFacts } from "./picker.js";
import { isOrgAdmin, state } from "./state.js";
import { fill, S } from "./strings.js";
import { registerView } from "./views.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PAGE_SIZE = 50;
/** Typing pauses this long before the search is sent; Enter sends it at once. */
const TYPING_PAUSE_MS = 300;

/** What the view shows: the pages loaded so far of the current search. */
const shown = { items: [], next: null, total: 0, search: 0, orgId: null, timer: 0 };

function membersPage(cursor) {
  const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
  const q = $("members-q").value.trim().slice(0, 200);
  const role = $("members-role").value;
  if (q) query.set("q", q);
  if (role) query.set("role", role);
  if (cursor) query.set("cursor", cursor);
  return api("GET", `/v1/organizations/${state.orgId}/members?${query}`);
}

/** Sends the search now; an answer to an older search that arrives late is dropped. */
function searchMembers() {
  clearTimeout(shown.timer);
  const search = ++shown.search;
  const orgId = state.orgId;
  return attempt(async () => {
    const page = await membersPage(null);
    if (search !== shown.search || orgId !== state.orgId) return;
    shown.orgId = orgId;
    shown.items = page.items;
    shown.next = page.next_cursor;
    shown.total = page.total ?? page.items.length;
    renderMembers();
  }, "members-msg");
}

function searchSoon() {
  clearTimeout(shown.timer);
  shown.timer = setTimeout(searchMembers, TYPING_PAUSE_MS);
}

function showMore() {
  const search = shown.search;
  return attempt(async () => {
    const page = await membersPage(shown.next);
    if (search !== shown.search) return;
    const known = new Set(shown.items.map((m) => m.user_id));
    const first = shown.items.length;
    shown.items.push(...page.items.filter((m) => !known.has(m.user_id)));
    shown.next = page.next_cursor;
    shown.total = page.total ?? shown.items.length;
    renderMembers({ more: true });
    // Keyboard and screen reader users go on where the new rows begin.
    $("members-list").querySelectorAll("tbody th")[first]?.focus();
  }, "members-msg");
}

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
        m.role = select.value;
        await loadMembers();
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
          shown.items = shown.items.filter((other) => other.user_id !== m.user_id);
          shown.total = Math.max(0, shown.total - 1);
          renderMembers();
          await loadMembers();
        },
      }),
  });
}

function memberRow(m, namesakes) {
  return el(
    "tr",
    {},
    el(
      "th",
      { scope: "row", tabindex: "-1" },
      m.display_name,
      namesakes.get(m.display_name) > 1 ? el("span", { class: "namesake" }, ` (${S.namesake})`) : null,
    ),
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
  );
}

function renderMembers({ more = false } = {}) {
  const items = shown.items;
  const namesakes = new Map();
  for (const m of items) namesakes.set(m.display_name, (namesakes.get(m.display_name) ?? 0) + 1);
  const headers = [S.displayName, S.role, S.memberFactsColumn, S.colActions];
  const counts = { count: items.length, total: shown.total };
  $("members-summary").textContent = fill(more ? S.membersMoreShown : S.membersCount, counts);
  $("members-rows").replaceChildren(
    items.length
      ? table(
          S.membersCaption,
          headers,
          items.map((m) => memberRow(m, namesakes)),
        )
      : el("p", {}, S.membersNone),
  );
  $("members-more").replaceChildren(
    shown.next ? button(S.membersShowMore, { class: "secondary", onclick: showMore }) : "",
  );
}

export function wireMembers() {
  // The count is a live region that stays put, so a new count is read out after each search.
  $("members-list").replaceChildren(
    el("p", { class: "summary", id: "members-summary", role: "status" }),
    el("div", { id: "members-rows" }),
    el("p", { id: "members-more" }),
  );
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
    if (shown.orgId !== state.orgId) {
      shown.items = [];
      shown.next = null;
      $("members-summary").textContent = S.membersSearching;
      $("members-rows").replaceChildren();
      $("members-more").replaceChildren();
    }
    await searchMembers();
  });
  $("members-filter").addEventListener("submit", (event) => {
    event.preventDefault();
    searchMembers();
  });
  $("members-q").addEventListener("input", searchSoon);
  $("members-role").addEventListener("change", searchMembers);

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
      await Promise.all([loadMembers(), searchMembers()]);
      event.target.reset();
      say(fill(S.memberAdded, { name, role: roleLabel(role).toLocaleLowerCase() }), false, "add-member-msg");
      const next = $("add-member-next");
      next.replaceChildren(
        button(fill(S.grantToName, { name }), { class: "secondary", onclick: () => grantTo(userId) }),
      );
      next.hidden = false;
    }, "add-member-msg");
  });
}
