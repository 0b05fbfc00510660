// The organization in view: its types and members, and the caller's role in it.
import { api } from "./api.js";
import { $, options } from "./dom.js";
import { state } from "./state.js";
import { locale, S } from "./strings.js";
import { currentView, refreshMenu, showView } from "./views.js";

/** Every member, page after page when the server pages them. */
async function allMembers(orgId) {
  const members = [];
  let cursor = null;
  for (let pages = 0; pages < 100; pages++) {
    const query = new URLSearchParams({ limit: "200" });
    if (cursor) query.set("cursor", cursor);
    const page = await api("GET", `/v1/organizations/${orgId}/members${pages === 0 ? "" : `?${query}`}`);
    members.push(...page.items);
    cursor = page.next_cursor;
    if (!cursor) break;
  }
  return members.sort((a, b) => a.display_name.localeCompare(b.display_name, locale));
}

export async function loadTypes() {
  const types = await api("GET", `/v1/organizations/${state.orgId}/certification-types`);
  state.typeList = types.items;
  state.types = new Map(types.items.map((t) => [t.id, t.name]));
  const live = types.items.filter((t) => !t.retired_at && !t.retired).map((t) => [t.id, t.name]);
  options($("filter-type"), [...state.types], S.filterTypeAll);
  options($("grant-type"), live, S.chooseType);
}

export async function loadMembers() {
  state.memberList = await allMembers(state.orgId);
  state.members = new Map(state.memberList.map((m) => [m.user_id, m]));
}

export async function loadOrganization(orgId, { view } = {}) {
  state.orgId = orgId;
  const mine = state.me.memberships.find((m) => m.organization_id === orgId);
  state.role = state.me.is_global_admin ? "org_admin" : (mine?.role ?? null);
  state.selected.clear();
  await Promise.all([loadTypes(), loadMembers()]);
  refreshMenu();
  state.cursors = [null];
  state.page = 0;
  await showView(view ?? currentView(), { focus: false, push: false });
}
