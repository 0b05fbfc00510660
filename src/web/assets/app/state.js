/** What the page knows of the signed-in user and the organization in view. */
export const state = {
  me: null,
  orgId: null,
  /** The caller's role in the organization in view (global admins count as org_admin). */
  role: null,
  types: new Map(),
  typeList: [],
  members: new Map(),
  memberList: [],
  orgNames: new Map(),
  cursors: [null],
  page: 0,
  detail: null,
  opener: null,
  /** Rows picked for a bulk revoke: id → certification. */
  selected: new Map(),
  view: "certs",
};

export const isOrgAdmin = () => state.me?.is_global_admin || state.role === "org_admin";
export const memberName = (userId) => state.members.get(userId)?.display_name ?? null;
