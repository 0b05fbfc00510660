// Staff: who expires before a date, soonest first, a page at a time, with a count per week over all of them.
import { api, attempt } from "./api.js";
import { osloMidnight } from "./dates.js";
import { $, el, statusBadge, table } from "./dom.js";
import { holderOf, numberLink, typeOf } from "./list.js";
import { say } from "./notice.js";
import { state } from "./state.js";
import { count as counted, fill, formatDate, locale, S, TZ } from "./strings.js";
import { registerView } from "./views.js";

const DAY = 86_400_000;
const PAGE_SIZE = "100";
/** What still needs a coordinator's action: the counts' default statuses too. */
const NEEDS_ACTION = ["active", "expiring_soon", "suspended"];

/** The first day of next month, as <input type="date"> has it: "who expires this month?". */
function firstOfNextMonth(now = new Date()) {
  const [y, m] = new Intl.DateTimeFormat("en-CA", { timeZone: TZ, year: "numeric", month: "2-digit" })
    .format(now)
    .split("-")
    .map(Number);
  return m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, "0")}-01`;
}

const shortDate = new Intl.DateTimeFormat(locale, { day: "numeric", month: "short", timeZone: "UTC" });
const COLUMNS = () => [S.colExpires, S.colNumber, S.colHolder, S.colType, S.colStatus];

/** The list as loaded so far: its query, where the next page starts, how many are shown of how many. */
let loaded = { generation: 0, query: null, cursor: null, shown: 0, total: 0 };

function row(c) {
  const [expires, number, holder, type, status] = COLUMNS();
  return el(
    "tr",
    {},
    el("td", { "data-label": expires }, formatDate(c.expires_at)),
    el("th", { scope: "row", "data-label": number }, numberLink(c)),
    el("td", { "data-label": holder }, holderOf(c)),
    el("td", { "data-label": type }, typeOf(c)),
    el("td", { "data-label": status }, statusBadge(c.status)),
  );
}

function weekList(weeks) {
  if (weeks.length === 0) return "";
  return el(
    "ul",
    { class: "week-counts", "aria-label": S.expiringPerWeek },
    weeks.map((w) => {
      const monday = new Date(`${w.week_start}T00:00:00Z`);
      return el(
        "li",
        {},
        fill(S.weekCount, {
          week: w.iso_week,
          from: shortDate.format(monday),
          to: shortDate.format(new Date(monday.getTime() + 6 * DAY)),
          count: w.count,
        }),
      );
    }),
  );
}

const shownText = () => fill(S.expiringShown, { shown: loaded.shown, total: loaded.total });

/** The "Show more" row under the table: how many are shown, and the button while there are more. */
function moreControls() {
  $("expiring-more-box")?.remove();
  if (!loaded.cursor) return;
  $("expiring-list").append(
    el(
      "div",
      { id: "expiring-more-box", class: "actions" },
      el("p", { id: "expiring-shown" }, shownText()),
      el("button", { type: "button", id: "expiring-more", onclick: showMore }, S.expiringShowMore),
    ),
  );
}

async function fetchPage() {
  const query = new URLSearchParams(loaded.query);
  if (loaded.cursor) query.set("cursor", loaded.cursor);
  return api("GET", `/v1/organizations/${state.orgId}/certifications?${query}`);
}

async function loadExpiring() {
  const input = $("expiring-before");
  if (!input.value) input.value = firstOfNextMonth();
  const before = osloMidnight(input.value);
  const query = new URLSearchParams({ sort: "expires_at", expires_before: before });
  for (const status of NEEDS_ACTION) query.append("status", status);
  query.set("limit", PAGE_SIZE);
  const generation = loaded.generation + 1;
  loaded = { generation, query: query.toString(), cursor: null, shown: 0, total: 0 };
  const weeksQuery = new URLSearchParams({ expires_before: before });
  const [counts, page] = await Promise.all([
    api("GET", `/v1/organizations/${state.orgId}/certifications/expiry-weeks?${weeksQuery}`),
    fetchPage(),
  ]);
  if (loaded.generation !== generation) return counts.total;
  loaded = { ...loaded, cursor: page.next_cursor, shown: page.items.length, total: counts.total };
  $("expiring-weeks").replaceChildren(
    el(
      "p",
      { class: "summary" },
      counted("expiringSummary", { count: counts.total, date: formatDate(before) }),
    ),
    weekList(counts.weeks),
  );
  $("expiring-list").replaceChildren(
    page.items.length
      ? table(S.expiringCaption, COLUMNS(), page.items.map(row))
      : el("p", {}, S.expiringNone),
  );
  moreControls();
  return counts.total;
}

/** The next page, added under the rows already shown; focus goes to its first row, the count is said. */
async function showMore() {
  const button = $("expiring-more");
  button.disabled = true;
  const { generation } = loaded;
  const page = await attempt(fetchPage, "expiring-msg");
  if (loaded.generation !== generation) return;
  if (!page) {
    button.disabled = false;
    return;
  }
  const rows = page.items.map(row);
  $("expiring-list")
    .querySelector("tbody")
    .append(...rows);
  loaded = { ...loaded, cursor: page.next_cursor, shown: loaded.shown + page.items.length };
  moreControls();
  rows[0]?.querySelector("a")?.focus();
  say(shownText(), false, "expiring-msg");
}

export function wireExpiring() {
  registerView("expiring", () => attempt(loadExpiring, "expiring-msg"));
  $("expiring-form").addEventListener("submit", (event) => {
    event.preventDefault();
    attempt(async () => {
      const count = await loadExpiring();
      say(
        counted("expiringSummary", { count, date: formatDate(osloMidnight($("expiring-before").value)) }),
        false,
        "expiring-msg",
      );
    }, "expiring-msg");
  });
}
