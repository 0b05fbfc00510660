// Staff: the revoke dialog. Focus moves in, stays in, and returns.
import { api, attempt } from "./api.js";
import { openDetail } from "./detail.js";
import { $, el } from "./dom.js";
import { loadList } from "./list.js";
import { say } from "./notice.js";
import { state } from "./state.js";
import { fill, S } from "./strings.js";

export function wireRevoke() {
  const dialog = $("revoke-dialog");
  const frame = $("page");
  const dialogError = el("p", { id: "revoke-error", class: "notice error", role: "alert" });
  $("revoke-form").insertBefore(dialogError, $("revoke-form").querySelector(".actions"));

  function openRevokeDialog() {
    const c = state.detail;
    $("revoke-heading").textContent = fill(S.revokeHeading, { number: c.certificate_number });
    $("revoke-reason").value = "";
    dialogError.textContent = "";
    // The page under the modal leaves the accessibility tree and the tab order.
    frame.inert = true;
    frame.setAttribute("aria-hidden", "true");
    dialog.showModal();
    $("revoke-reason").focus();
  }

  function closeRevokeDialog() {
    if (dialog.open) dialog.close();
  }

  dialog.addEventListener("close", () => {
    frame.inert = false;
    frame.removeAttribute("aria-hidden");
    const back = $("revoke-open");
    if (!back.parentElement.hidden) back.focus();
    else $("detail-heading").focus();
  });

  dialog.addEventListener("keydown", (event) => {
    if (event.key !== "Tab") return;
    const focusable = [...dialog.querySelectorAll("textarea, button, input, select, a[href]")].filter(
      (node) => !node.disabled && !node.hidden,
    );
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  });

  $("revoke-open").addEventListener("click", openRevokeDialog);
  $("revoke-cancel").addEventListener("click", closeRevokeDialog);

  $("revoke-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const c = state.detail;
    const reason = $("revoke-reason").value;
    try {
      await api("POST", `/v1/certifications/${c.id}/revoke`, { reason });
    } catch (error) {
      dialogError.textContent = `${S.errorPrefix} ${error.message}`;
      $("revoke-reason").focus();
      return;
    }
    closeRevokeDialog();
    say(fill(S.revoked, { number: c.certificate_number }));
    await attempt(() => Promise.all([loadList(), openDetail(c.id, state.opener, false)]));
    $("detail-heading").focus();
  });
}
