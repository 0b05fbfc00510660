// Staff: who expires before a date, soonest first, with a count per week.
import { api, attempt } from "./api.js";
import { osloMidnight } from "./dates.js";
import { $, el, statusBadge, table } from "./dom.js";
import { holderOf, numberLink, typeOf } from "./list.js";
import { say } from "./notice.js";
import { state } from "./state.js";
import { count as counted, fill, formatDate, locale, S, TZ } from "./strings.js";
import { registerView } from "./views.js";

const DAY = 86_400_000;

/** The first day of next month, as <input type="date"> has it: "who expires this month?". */
function firstOfNextMonth(now = new Date()) {
  const [y, m] = new Intl.DateTimeFormat("en-CA", { timeZone: TZ, year: "numeric", month: "2-digit" })
    .format(now)
    .split("-")
    .map(Number);
  return m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, "0")}-01`;
}

/** ISO week number and the Monday it starts on, in Norway's calendar. */
function weekOf(iso) {
  const local = new Intl.DateTimeFormat("en-CA", { timeZone: TZ }).format(new Date(iso));
  const date = new Date(`${local}T00:00:00Z`);
  const weekday = (date.getUTCDay() + 6) % 7;
  const monday = new Date(date.getTime() - weekday * DAY);
  const thursday = new Date(monday.getTime() + 3 * DAY);
  const yearStart = new Date(Date.UTC(thursday.getUTCFullYear(), 0, 1));
  const week = Math.floor((thursday - yearStart) / DAY / 7) + 1;
  return { key: monday.toISOString().slice(0, 10), week, monday };
}

const shortDate = new Intl.DateTimeFormat(locale, { day: "numeric", month: "short", timeZone: "UTC" });

async function loadExpiring() {
  const input = $("expiring-before");
  if (!input.value) input.value = firstOfNextMonth();
  const before = new Date(osloMidnight(input.value));
  const days = Math.max(0, Math.min(3650, Math.ceil((before.getTime() - Date.now()) / DAY)));
  const answer = await api(
    "GET",
    `/v1/organizations/${state.orgId}/certifications/expiring?within_days=${days}`,
  );
  const items = answer.items
    .filter((c) => c.expires_at && new Date(c.expires_at) < before)
    .sort((a, b) => a.expires_at.localeCompare(b.expires_at));
  const weeks = new Map();
  for (const c of items) {
    const w = weekOf(c.expires_at);
    if (!weeks.has(w.key)) weeks.set(w.key, { ...w, items: [] });
    weeks.get(w.key).items.push(c);
  }
  $("expiring-weeks").replaceChildren(
    el(
      "p",
      { class: "summary" },
      counted("expiringSummary", { count: items.length, date: formatDate(before) }),
    ),
    weeks.size
      ? el(
          "ul",
          { class: "week-counts", "aria-label": S.expiringPerWeek },
          [...weeks.values()].map((w) =>
            el(
              "li",
              {},
              fill(S.weekCount, {
                week: w.week,
                from: shortDate.format(w.monday),
                to: shortDate.format(new Date(w.monday.getTime() + 6 * DAY)),
                count: w.items.length,
              }),
            ),
          ),
        )
      : "",
  );
  $("expiring-list").replaceChildren(
    items.length
      ? table(
          S.expiringCaption,
          [S.colExpires, S.colNumber, S.colHolder, S.colType, S.colStatus],
          items.map((c) =>
            el(
              "tr",
              {},
              el("td", {}, formatDate(c.expires_at)),
              el("th", { scope: "row" }, numberLink(c)),
              el("td", {}, holderOf(c)),
              el("td", {}, typeOf(c)),
              el("td", {}, statusBadge(c.status)),
            ),
          ),
        )
      : el("p", {}, S.expiringNone),
  );
  return items.length;
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
