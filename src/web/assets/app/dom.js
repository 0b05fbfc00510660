// The DOM is built with createElement and textContent only: nothing from the API is ever parsed as HTML.
import { S } from "./strings.js";

export const $ = (id) => document.getElementById(id);

/** Builds an element: el("a", { href: "/x", class: "y" }, "text", child). */
export function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

const STATUS = {
  active: { icon: "✓", label: () => S.statusActive },
  expiring_soon: { icon: "⚠", label: () => S.statusExpiringSoonShort },
  suspended: { icon: "⏸", label: () => S.staffStatusSuspended },
  expired: { icon: "✕", label: () => S.statusExpired },
  revoked: { icon: "⊘", label: () => S.statusRevoked },
};

/** Status in words with an icon; the colour only repeats what the words say. */
export function statusBadge(status) {
  const known = STATUS[status];
  return el(
    "span",
    { class: `badge status-${status}` },
    el("span", { "aria-hidden": "true" }, known ? known.icon : "?"),
    known ? known.label() : status,
  );
}

/**
 * A table that becomes a list of cards on a narrow screen (site.css): each cell carries its
 * column's name, shown before the value when the header row is out of sight.
 */
export function table(caption, headers, rows) {
  for (const row of rows.flat()) {
    [...row.children].forEach((cell, index) => {
      if (!cell.hasAttribute("data-label") && headers[index]) cell.setAttribute("data-label", headers[index]);
    });
  }
  return el(
    "div",
    { class: "table-scroll" },
    el(
      "table",
      { class: "cards" },
      el("caption", {}, caption),
      el(
        "thead",
        {},
        el(
          "tr",
          {},
          headers.map((h) => el("th", { scope: "col" }, h)),
        ),
      ),
      el("tbody", {}, rows),
    ),
  );
}

export function options(select, items, placeholder) {
  select.replaceChildren(
    ...(placeholder === undefined ? [] : [el("option", { value: "" }, placeholder)]),
    ...items.map(([value, label]) => el("option", { value }, label)),
  );
}

export function fact(label, value) {
  return el("div", {}, el("dt", {}, label), el("dd", {}, value));
}

/** The last characters of an id: enough to tell two namesakes apart, short enough to read. */
export const idTail = (id) => `…${String(id).replaceAll("-", "").slice(-6)}`;

const ROLES = {
  peer_mentor: () => S.rolePeerMentor,
  coordinator: () => S.roleCoordinator,
  org_admin: () => S.roleOrgAdmin,
};
export const ROLE_NAMES = Object.keys(ROLES);
export const roleLabel = (role) => (ROLES[role] ? ROLES[role]() : role);

/** Tells the user where the answer is: the message region and focus move nowhere else. */
export function button(label, attributes = {}) {
  return el("button", { type: "button", ...attributes }, label);
}
