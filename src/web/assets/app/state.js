/** What the page knows of the signed-in user and the organization in view. */
export const state = {
  me: null,
  orgId: null,
  types: new Map(),
  members: new Map(),
  orgNames: new Map(),
  cursors: [null],
  page: 0,
  detail: null,
  opener: null,
};
