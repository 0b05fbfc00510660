// Staff: the funder report — certified mentors of one year, on the page and as CSV.
import { api, attempt } from "./api.js";
import { $, el, fact, table } from "./dom.js";
import { downloadLink } from "./download.js";
import { state } from "./state.js";
import { fill, S } from "./strings.js";
import { registerView } from "./views.js";

async function loadReport() {
  const input = $("report-year");
  if (!input.value) input.value = String(new Date().getFullYear());
  const year = input.value;
  const base = `/v1/organizations/${state.orgId}/reports/certified-mentors?year=${encodeURIComponent(year)}`;
  const report = await api("GET", `${base}&format=json`);
  const csv = el("a", { href: `${base}&format=csv`, class: "button-link" }, fill(S.reportCsv, { year }));
  downloadLink(
    csv,
    () => `${S.reportFilePrefix}-${report.organization.prefix}-${report.year}.csv`,
    "report-msg",
  );
  $("report-result").replaceChildren(
    el("h4", {}, fill(S.reportHeading, { year: report.year, org: report.organization.name })),
    el(
      "dl",
      { class: "facts" },
      fact(S.reportCertified, String(report.certified_mentors)),
      fact(S.reportNew, String(report.newly_certified)),
    ),
    report.by_type.length
      ? table(
          fill(S.reportByType, { year: report.year }),
          [S.colType, S.reportCertified, S.reportNew],
          report.by_type.map((t) =>
            el(
              "tr",
              {},
              el("th", { scope: "row" }, t.certification_type),
              el("td", {}, String(t.certified_mentors)),
              el("td", {}, String(t.newly_certified)),
            ),
          ),
        )
      : el("p", {}, S.reportEmpty),
    el("p", {}, csv),
  );
}

export function wireReport() {
  registerView("report", () => attempt(loadReport, "report-msg"));
  $("report-form").addEventListener("submit", (event) => {
    event.preventDefault();
    attempt(loadReport, "report-msg");
  });
}
