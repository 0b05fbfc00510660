// Global admins: organizations, and the dead-letter jobs with retry.
import { api, attempt } from "./api.js";
import { $, button, el, options, table } from "./dom.js";
import { say } from "./notice.js";
import { state } from "./state.js";
import { fill, formatDateTime, S } from "./strings.js";
import { registerView } from "./views.js";

const JOB_KINDS = {
  notification: () => S.jobNotification,
  "badge-evaluation": () => S.jobBadge,
};

async function loadDead() {
  const answer = await api("GET", "/v1/admin/jobs/dead?limit=50");
  $("dead-list").replaceChildren(
    answer.items.length
      ? table(
          S.deadCaption,
          [S.jobKind, S.jobFailedAt, S.jobAttempts, S.jobError, S.colActions],
          answer.items.map((job) =>
            el(
              "tr",
              {},
              el("th", { scope: "row" }, (JOB_KINDS[job.queue] ?? (() => job.queue))()),
              el("td", {}, formatDateTime(job.failed_at)),
              el("td", {}, `${job.attempts} / ${job.max_attempts}`),
              el("td", { class: "wrap-text" }, job.last_error ?? ""),
              el(
                "td",
                {},
                button(S.retry, {
                  class: "secondary",
                  "aria-label": fill(S.retryJob, {
                    kind: (JOB_KINDS[job.queue] ?? (() => job.queue))(),
                    when: formatDateTime(job.failed_at),
                  }),
                  onclick: () =>
                    attempt(async () => {
                      await api("POST", `/v1/admin/jobs/${job.id}/retry`, {});
                      say(S.jobRetried, false, "dead-msg");
                      await loadDead();
                      $("dead-heading").setAttribute("tabindex", "-1");
                      $("dead-heading").focus();
                    }, "dead-msg"),
                }),
              ),
            ),
          ),
        )
      : el("p", {}, S.deadNone),
  );
}

export function wireAdmin(reloadOrganizations) {
  registerView("admin", () => attempt(loadDead, "dead-msg"));
  $("dead-refresh").addEventListener("click", () => attempt(loadDead, "dead-msg"));
  $("org-prefix").addEventListener("input", (event) => {
    event.target.value = event.target.value.toUpperCase();
  });
  $("org-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const body = { name: $("org-name").value.trim(), prefix: $("org-prefix").value.trim() };
    const zone = $("org-tz").value.trim();
    if (zone) body.time_zone = zone;
    attempt(async () => {
      const created = await api("POST", "/v1/organizations", body);
      event.target.reset();
      state.orgNames.set(created.id, created.name);
      await reloadOrganizations();
      say(fill(S.orgCreated, { name: created.name, prefix: created.prefix }), false, "org-form-msg");
    }, "org-form-msg");
  });
}

export function fillOrganizations(list) {
  options($("org"), list);
  $("org").value = state.orgId ?? list[0]?.[0] ?? "";
}
