// Modal dialogs (native <dialog>.showModal()): focus moves in, stays in, and returns to the opener.
import { $ } from "./dom.js";
import { clear } from "./notice.js";

const openers = new WeakMap();

function focusable(dialog) {
  return [...dialog.querySelectorAll("textarea, button, input, select, a[href]")].filter(
    (node) => !node.disabled && !node.hidden && node.offsetParent !== null,
  );
}

/** Opens `dialog`, puts focus on `first` (or its first control) and gives it back to `opener`. */
export function openModal(dialog, { opener, first } = {}) {
  openers.set(dialog, opener ?? document.activeElement);
  const region = dialog.querySelector(".msg");
  if (region) clear(region);
  // The page under the modal leaves the accessibility tree and the tab order.
  const frame = $("page");
  frame.inert = true;
  frame.setAttribute("aria-hidden", "true");
  dialog.showModal();
  (first ?? focusable(dialog)[0])?.focus();
}

export function closeModal(dialog) {
  if (dialog.open) dialog.close();
}

/** Wires every dialog once: cancel buttons, the focus trap, and the return of focus on close. */
export function wireModals() {
  for (const dialog of document.querySelectorAll("dialog")) {
    for (const cancel of dialog.querySelectorAll("[data-close]")) {
      cancel.addEventListener("click", () => closeModal(dialog));
    }
    dialog.addEventListener("close", () => {
      const frame = $("page");
      frame.inert = false;
      frame.removeAttribute("aria-hidden");
      const back = openers.get(dialog);
      if (back && document.contains(back) && !back.closest("[hidden]") && !back.disabled) back.focus();
      else $("main").focus();
    });
    dialog.addEventListener("keydown", (event) => {
      if (event.key !== "Tab") return;
      const nodes = focusable(dialog);
      const first = nodes[0];
      const last = nodes[nodes.length - 1];
      if (event.shiftKey && document.activeElement === first) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && document.activeElement === last) {
        event.preventDefault();
        first.focus();
      }
    });
  }
}

/**
 * The one reason dialog of revoke, suspend, unsuspend and reinstate. `submit(reason)` runs the
 * action; a refusal is shown inside the dialog and the dialog stays open; `after()` runs once
 * it has closed.
 */
export function askReason({ heading, intro, confirm, danger = true, opener, submit, after, say }) {
  const dialog = $("reason-dialog");
  $("reason-heading").textContent = heading;
  $("reason-intro").textContent = intro;
  const button = $("reason-confirm");
  button.textContent = confirm;
  button.className = danger ? "danger" : "";
  $("reason-text").value = "";
  const form = $("reason-form");
  form.onsubmit = async (event) => {
    event.preventDefault();
    const reason = $("reason-text").value;
    button.disabled = true;
    try {
      await submit(reason);
    } catch (error) {
      say(error.message, true, "reason-msg");
      $("reason-text").focus();
      return;
    } finally {
      button.disabled = false;
    }
    closeModal(dialog);
    await after?.();
  };
  openModal(dialog, { opener, first: $("reason-text") });
}

/** A yes/no question before an action that cannot be undone from here. */
export function askConfirm({ heading, intro, confirm, opener, submit, say }) {
  const dialog = $("confirm-dialog");
  $("confirm-heading").textContent = heading;
  $("confirm-intro").textContent = intro;
  $("confirm-ok").textContent = confirm;
  $("confirm-form").onsubmit = async (event) => {
    event.preventDefault();
    try {
      await submit();
      closeModal(dialog);
    } catch (error) {
      say(error.message, true, "confirm-msg");
    }
  };
  openModal(dialog, { opener, first: $("confirm-ok") });
}
