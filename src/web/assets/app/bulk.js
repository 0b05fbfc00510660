// Staff: revoke the selected rows at once — a dry run first shows what will happen, one reason for all.
import { api, attempt } from "./api.js";
import { $, el } from "./dom.js";
import { features } from "./features.js";
import { refreshCerts } from "./list.js";
import { closeModal, openModal } from "./modal.js";
import { say } from "./notice.js";
import { state } from "./state.js";
import { fill, S } from "./strings.js";

const path = () => `/v1/organizations/${state.orgId}/certifications/bulk-revoke`;

/** What would happen to each selected row: the server's dry run, or the statuses the page knows. */
async function preview(ids) {
  if (features.bulkRevoke) {
    const answer = await api("POST", path(), { certification_ids: ids, reason: "-", dry_run: true });
    const rows = answer.items ?? answer.results ?? [];
    return ids.map((id) => {
      const row = rows.find((r) => (r.id ?? r.certification_id) === id) ?? {};
      const ok = row.outcome === "would_revoke" || row.outcome === "revoked";
      const reason = row.outcome === "valid_status_transition" ? S.bulkCannotNow : S.problems?.[row.outcome];
      return { id, ok, detail: ok ? "" : (reason ?? row.outcome ?? "") };
    });
  }
  return ids.map((id) => {
    const revoked = state.selected.get(id)?.status === "revoked";
    return { id, ok: !revoked, detail: revoked ? S.bulkAlreadyRevoked : "" };
  });
}

let planned = [];

async function openBulk(event) {
  const opener = event.currentTarget;
  const ids = [...state.selected.keys()];
  const rows = await attempt(() => preview(ids), "certs-msg");
  if (!rows) return;
  planned = rows;
  const good = rows.filter((r) => r.ok).length;
  $("bulk-preview").replaceChildren(
    el("p", {}, fill(S.bulkSummary, { count: good, total: rows.length })),
    el(
      "ul",
      { class: "preview" },
      rows.map((r) => {
        const number = state.selected.get(r.id)?.certificate_number ?? "";
        return el(
          "li",
          { class: r.ok ? "ok" : "bad" },
          el("strong", {}, number),
          ": ",
          r.ok ? S.bulkWillRevoke : `${S.bulkWillFail} ${r.detail}`,
        );
      }),
    ),
  );
  $("bulk-reason").value = "";
  const confirm = $("bulk-confirm");
  confirm.textContent = fill(S.bulkConfirm, { count: good });
  confirm.disabled = good === 0 || good !== rows.length;
  if (good !== rows.length) {
    $("bulk-preview").append(el("p", { class: "hint" }, S.bulkAllOrNothing));
  }
  openModal($("bulk-dialog"), { opener, first: $("bulk-reason") });
}

async function runBulk(event) {
  event.preventDefault();
  const reason = $("bulk-reason").value;
  const ids = planned.filter((r) => r.ok).map((r) => r.id);
  try {
    if (features.bulkRevoke) {
      await api("POST", path(), { certification_ids: ids, reason });
    } else {
      for (const id of ids) await api("POST", `/v1/certifications/${id}/revoke`, { reason });
    }
  } catch (error) {
    say(error.message, true, "bulk-msg");
    $("bulk-reason").focus();
    return;
  }
  closeModal($("bulk-dialog"));
  state.selected.clear();
  say(fill(S.bulkDone, { count: ids.length }), false, "certs-msg");
  await attempt(refreshCerts, "certs-msg");
}

export function wireBulk() {
  $("bulk-open").addEventListener("click", openBulk);
  $("bulk-form").addEventListener("submit", runBulk);
}
