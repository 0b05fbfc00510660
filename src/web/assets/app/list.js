// Staff: the certifications of the organization in view — counts, search, filters, pages, export.
import { api, attempt } from "./api.js";
import { osloMidnight } from "./dates.js";
import { openDetail } from "./detail.js";
import { $, el, statusBadge, table } from "./dom.js";
import { downloadLink } from "./download.js";
import { features } from "./features.js";
import { say } from "./notice.js";
import { memberName, state } from "./state.js";
import { count, fill, formatDate, link, locale, S } from "./strings.js";
import { registerView } from "./views.js";

const NUMBER = /^[A-Z][A-Z0-9]{1,9}-\d{4}-\d{5,}$/;
const STATUSES = ["active", "expiring_soon", "suspended", "expired", "revoked"];
const STATUS_WORDS = {
  active: () => S.statusActive,
  expiring_soon: () => S.statusExpiringSoonShort,
  suspended: () => S.staffStatusSuspended,
  expired: () => S.statusExpired,
  revoked: () => S.statusRevoked,
};

/** The filters of the form, as the list, the counts and the export take them (the search aside). */
function filterQuery() {
  const query = new URLSearchParams();
  const status = $("filter-expiring").checked ? "expiring_soon" : $("filter-status").value;
  if (status) query.append("status", status);
  const type = $("filter-type").value;
  if (type) query.set("certification_type_id", type);
  const before = $("filter-before").value;
  if (before) query.set("expires_before", osloMidnight(before));
  return query;
}

const searchText = () => $("filter-q").value.trim();

/** The holders whose name holds the search, when the server cannot search by itself. */
const namesakes = (text) => {
  const needle = text.toLocaleLowerCase(locale);
  return state.memberList.filter((m) => m.display_name.toLocaleLowerCase(locale).includes(needle));
};

async function fetchPage(cursor) {
  const query = filterQuery();
  query.set("limit", $("filter-page-size").value || "20");
  if (cursor) query.set("cursor", cursor);
  const q = searchText();
  const base = `/v1/organizations/${state.orgId}/certifications`;
  if (q && features.listSearch) query.set("q", NUMBER.test(q.toUpperCase()) ? q.toUpperCase() : q);
  else if (q && NUMBER.test(q.toUpperCase())) {
    const found = await api(
      "GET",
      `/v1/certifications/by-number/${encodeURIComponent(q.toUpperCase())}`,
    ).catch(() => null);
    return { items: found && found.organization_id === state.orgId ? [found] : [], next_cursor: null };
  } else if (q) {
    const holders = namesakes(q).slice(0, 25);
    const pages = await Promise.all(
      holders.map((m) => {
        const own = new URLSearchParams(query);
        own.delete("cursor");
        own.set("user_id", m.user_id);
        own.set("limit", "50");
        return api("GET", `${base}?${own}`);
      }),
    );
    const items = pages.flatMap((p) => p.items).sort((a, b) => b.issued_at.localeCompare(a.issued_at));
    return { items, next_cursor: null };
  }
  return api("GET", `${base}?${query}`);
}

/** Counts per effective status for the filters in force (not the search). */
async function loadCounts() {
  const box = $("counts");
  const query = filterQuery();
  query.delete("status");
  let counts = {};
  let capped = false;
  if (features.counts) {
    const q = searchText();
    if (q && features.listSearch) query.set("q", NUMBER.test(q.toUpperCase()) ? q.toUpperCase() : q);
    const answer = await api("GET", `${features.counts.replace("{orgId}", state.orgId)}?${query}`);
    const source = answer.by_status ?? answer.counts ?? answer;
    counts = Array.isArray(source.items)
      ? Object.fromEntries(source.items.map((i) => [i.status, i.count]))
      : source;
  } else {
    query.set("limit", "200");
    for (let pages = 0; pages < 10; pages++) {
      const page = await api("GET", `/v1/organizations/${state.orgId}/certifications?${query}`);
      for (const c of page.items) counts[c.status] = (counts[c.status] ?? 0) + 1;
      if (!page.next_cursor) break;
      query.set("cursor", page.next_cursor);
      capped = pages === 9;
    }
  }
  box.replaceChildren(
    ...STATUSES.map((status) =>
      el(
        "button",
        {
          type: "button",
          class: `count status-${status}`,
          "aria-pressed": String($("filter-status").value === status),
          onclick: () => {
            $("filter-expiring").checked = false;
            $("filter-status").value = $("filter-status").value === status ? "" : status;
            state.cursors = [null];
            state.page = 0;
            attempt(refreshCerts, "certs-msg");
          },
        },
        el("span", { class: "count-number" }, `${counts[status] ?? 0}${capped ? "+" : ""}`),
        " ",
        STATUS_WORDS[status](),
      ),
    ),
  );
}

function selectBox(c) {
  return el("input", {
    type: "checkbox",
    class: "select",
    "aria-label": fill(S.selectRow, { number: c.certificate_number }),
    checked: state.selected.has(c.id),
    onchange: (event) => {
      if (event.target.checked) state.selected.set(c.id, c);
      else state.selected.delete(c.id);
      refreshBulkButton();
    },
  });
}

export function refreshBulkButton() {
  const button = $("bulk-open");
  button.disabled = state.selected.size === 0;
  button.textContent = fill(S.bulkRevokeCount, { count: state.selected.size });
}

export function numberLink(c) {
  return el(
    "a",
    {
      href: link({ cert: c.id }),
      onclick: (event) => {
        event.preventDefault();
        attempt(() => openDetail(c.id, event.currentTarget), "certs-msg");
      },
    },
    c.certificate_number,
  );
}

export const holderOf = (c) =>
  c.holder_display_name ?? c.display_name ?? memberName(c.user_id) ?? S.unknownUser;
export const typeOf = (c) => state.types.get(c.certification_type_id) ?? S.unknownType;

export async function loadList() {
  const cursor = state.cursors[state.page] ?? null;
  const result = await fetchPage(cursor);
  state.cursors[state.page + 1] = result.next_cursor;
  const box = $("list");
  box.replaceChildren();
  if (result.items.length === 0) {
    box.append(el("p", {}, S.listEmpty));
  } else {
    box.append(
      table(
        S.listCaption,
        [S.colSelect, S.colNumber, S.colHolder, S.colType, S.colStatus, S.colIssued, S.colExpires],
        result.items.map((c) =>
          el(
            "tr",
            {},
            el("td", { class: "select-cell" }, selectBox(c)),
            el("th", { scope: "row" }, numberLink(c)),
            el("td", {}, holderOf(c)),
            el("td", {}, typeOf(c)),
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
  // The export holds the rows of this list: its filters, its search and its order.
  const exportQuery = filterQuery();
  const q = searchText();
  if (q) exportQuery.set("q", NUMBER.test(q.toUpperCase()) ? q.toUpperCase() : q);
  exportQuery.set("sort", "newest");
  $("export-link").href = `/v1/organizations/${state.orgId}/certifications/export?${exportQuery}`;
  refreshBulkButton();
}

export async function refreshCerts() {
  await Promise.all([loadList(), loadCounts()]);
}

export function wireList() {
  registerView("certs", () => attempt(refreshCerts, "certs-msg"));
  downloadLink(
    $("export-link"),
    () => `${S.exportFilePrefix}-${state.orgNames.get(state.orgId) ?? "org"}.csv`.replaceAll(/\s+/g, "-"),
    "certs-msg",
  );

  $("filters").addEventListener("submit", (event) => {
    event.preventDefault();
    state.cursors = [null];
    state.page = 0;
    attempt(async () => {
      await refreshCerts();
      const shown = $("list").querySelectorAll("tbody tr").length;
      say(count("listCount", { count: shown }), false, "certs-msg");
    }, "certs-msg");
  });

  $("prev-page").addEventListener("click", () => {
    if (state.page === 0) return;
    state.page -= 1;
    attempt(loadList, "certs-msg");
  });

  $("next-page").addEventListener("click", () => {
    if (!state.cursors[state.page + 1]) return;
    state.page += 1;
    attempt(loadList, "certs-msg");
  });
}
