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

export function table(caption, headers, rows) {
  return el(
    "div",
    { class: "table-scroll" },
    el(
      "table",
      {},
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
