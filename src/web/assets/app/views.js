// The staff menu: one view at a time, each with its own address (?view=), loaded when shown.
import { $ } from "./dom.js";
import { isOrgAdmin, state } from "./state.js";
import { lang } from "./strings.js";

const loaders = new Map();

/** `load()` fills a view each time it is shown (and when the organization changes). */
export function registerView(name, load) {
  loaders.set(name, load);
}

const views = () => [...document.querySelectorAll("#staff .view")].map((node) => node.id.slice(5));

/** Which views this user may open in the organization in view. */
export function allowedViews() {
  return views().filter((view) => {
    if (view === "types") return isOrgAdmin();
    if (view === "admin") return Boolean(state.me?.is_global_admin);
    return true;
  });
}

export function refreshMenu() {
  const allowed = allowedViews();
  for (const item of document.querySelectorAll("[data-view-item]")) {
    item.hidden = !allowed.includes(item.dataset.viewItem);
  }
}

const viewLink = (view) => `/app?${new URLSearchParams({ lang, view })}`;

/** Shows `name` (or the first allowed), marks it in the menu, and runs its loader. */
export async function showView(name, { focus = true, push = true } = {}) {
  const allowed = allowedViews();
  const view = allowed.includes(name) ? name : allowed[0];
  state.view = view;
  for (const other of views()) $(`view-${other}`).hidden = other !== view;
  for (const anchor of document.querySelectorAll("#staff-nav a")) {
    if (anchor.dataset.view === view) anchor.setAttribute("aria-current", "page");
    else anchor.removeAttribute("aria-current");
  }
  $("detail").hidden = true;
  if (push && new URLSearchParams(window.location.search).get("view") !== view) {
    history.pushState({ view }, "", viewLink(view));
  }
  if (focus) $(`${view}-heading`).focus();
  await loaders.get(view)?.();
}

export const currentView = () => state.view;

/** Fills the view in sight again (after a change made elsewhere on the page). */
export const reloadView = async () => loaders.get(state.view)?.();

export function wireViews() {
  for (const anchor of document.querySelectorAll("#staff-nav a")) {
    anchor.href = viewLink(anchor.dataset.view);
    anchor.addEventListener("click", (event) => {
      if (event.ctrlKey || event.metaKey || event.shiftKey) return;
      event.preventDefault();
      showView(anchor.dataset.view);
    });
  }
  window.addEventListener("popstate", () => {
    const view = new URLSearchParams(window.location.search).get("view") ?? "certs";
    showView(view, { push: false });
  });
}
