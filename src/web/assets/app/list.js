// Staff: the organization in view, its certifications with filters and pagination.
import { api, attempt } from "./api.js";
import { openDetail } from "./detail.js";
import { $, el, options, statusBadge, table } from "./dom.js";
import { state } from "./state.js";
import { formatDate, link, locale, S } from "./strings.js";

const PAGE_SIZE = 20;

export async function loadOrganization(orgId) {
  state.orgId = orgId;
  const [types, members] = await Promise.all([
    api("GET", `/v1/organizations/${orgId}/certification-types`),
    api("GET", `/v1/organizations/${orgId}/members`),
  ]);
  state.types = new Map(types.items.map((t) => [t.id, t.name]));
  state.members = new Map(members.items.map((m) => [m.user_id, m.display_name]));
  options($("filter-type"), [...state.types], S.filterTypeAll);
  options($("grant-type"), [...state.types], S.chooseType);
  options(
    $("grant-member"),
    [...state.members].sort((a, b) => a[1].localeCompare(b[1], locale)),
    S.chooseMember,
  );
  state.cursors = [null];
  state.page = 0;
  await loadList();
}

function listQuery(cursor) {
  const query = new URLSearchParams({ limit: $("filter-page-size").value || String(PAGE_SIZE) });
  const status = $("filter-expiring").checked ? "expiring_soon" : $("filter-status").value;
  if (status) query.append("status", status);
  const type = $("filter-type").value;
  if (type) query.set("certification_type_id", type);
  if (cursor) query.set("cursor", cursor);
  return query;
}

export async function loadList() {
  const cursor = state.cursors[state.page] ?? null;
  const result = await api("GET", `/v1/organizations/${state.orgId}/certifications?${listQuery(cursor)}`);
  state.cursors[state.page + 1] = result.next_cursor;
  const box = $("list");
  box.replaceChildren();
  if (result.items.length === 0) {
    box.append(el("p", {}, S.listEmpty));
  } else {
    box.append(
      table(
        S.listCaption,
        [S.colNumber, S.colHolder, S.colType, S.colStatus, S.colIssued, S.colExpires],
        result.items.map((c) =>
          el(
            "tr",
            {},
            el(
              "th",
              { scope: "row" },
              el(
                "a",
                {
                  href: link({ cert: c.id }),
                  onclick: (event) => {
                    event.preventDefault();
                    openDetail(c.id, event.currentTarget);
                  },
                },
                c.certificate_number,
              ),
            ),
            el("td", {}, state.members.get(c.user_id) ?? c.user_id),
            el("td", {}, state.types.get(c.certification_type_id) ?? c.certification_type_id),
            el("td", {}, statusBadge(c.status)),
            el("td", {}, formatDate(c.issued_at)),
            el("td", {}, formatDate(c.expires_at)),
          ),
        ),
      ),
    );
  }
  $("prev-page").disabled = state.page === 0;
  $("next-page").disabled = !result.next_cursor;
  $("pagination").hidden = state.page === 0 && !result.next_cursor;
}

export function wireList() {
  $("org").addEventListener("change", (event) => {
    $("detail").hidden = true;
    attempt(() => loadOrganization(event.target.value));
  });

  $("filters").addEventListener("submit", (event) => {
    event.preventDefault();
    state.cursors = [null];
    state.page = 0;
    attempt(loadList);
  });

  $("prev-page").addEventListener("click", () => {
    if (state.page === 0) return;
    state.page -= 1;
    attempt(loadList);
  });

  $("next-page").addEventListener("click", () => {
    if (!state.cursors[state.page + 1]) return;
    state.page += 1;
    attempt(loadList);
  });
}
