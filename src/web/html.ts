import type { Status } from "../domain/status.js";
import type { Language, Messages } from "./i18n.js";

/** Escapes text for HTML content and double-quoted attributes. */
export function escapeHtml(value: string): string {
  return value
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

/** A trusted fragment of markup; everything else put into a page is escaped. */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

type Part = Html | string | number | null | undefined | false | readonly Part[];

function render(part: Part): string {
  if (part === null || part === undefined || part === false) return "";
  if (part instanceof Html) return part.value;
  if (Array.isArray(part)) return part.map(render).join("");
  return escapeHtml(String(part));
}

/** Tagged template: interpolations are escaped unless they are Html. */
export function html(strings: TemplateStringsArray, ...parts: Part[]): Html {
  let out = strings[0] ?? "";
  parts.forEach((part, index) => {
    out += render(part) + (strings[index + 1] ?? "");
  });
  return new Html(out);
}

/** A path of this site with the chosen language kept in it. */
export function link(path: string, language: Language): string {
  return `${path}${path.includes("?") ? "&" : "?"}lang=${language}`;
}

/** Icons go with words, never instead of them: hidden from assistive technology. */
const ICON_PATHS: Readonly<Record<Status | "unknown", string>> = {
  active: "M9 16.2 4.8 12l-1.4 1.4L9 19 21 7l-1.4-1.4z",
  expiring_soon: "M1 21h22L12 2 1 21zm12-3h-2v-2h2v2zm0-4h-2v-4h2v4z",
  suspended: "M6 19h4V5H6v14zm8-14v14h4V5h-4z",
  expired:
    "M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm0 18a8 8 0 1 1 0-16 8 8 0 0 1 0 16zm.5-13H11v6l5.2 3.2.8-1.3-4.5-2.7z",
  revoked:
    "M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zM4 12a8 8 0 0 1 12.9-6.3L5.7 16.9A7.9 7.9 0 0 1 4 12zm8 8a7.9 7.9 0 0 1-4.9-1.7L18.3 7.1A8 8 0 0 1 12 20z",
  unknown:
    "M11 18h2v-2h-2v2zm1-16a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm0 18a8 8 0 1 1 0-16 8 8 0 0 1 0 16zm0-14a4 4 0 0 0-4 4h2a2 2 0 1 1 4 0c0 2-3 1.75-3 5h2c0-2.25 3-2.5 3-5a4 4 0 0 0-4-4z",
};

export function statusIcon(kind: Status | "unknown"): Html {
  return html`<svg class="icon" viewBox="0 0 24 24" width="28" height="28" aria-hidden="true" focusable="false"><path fill="currentColor" d="${ICON_PATHS[kind]}"/></svg>`;
}

export interface PageOptions {
  language: Language;
  m: Messages;
  title: string;
  /** The path of this page without the language, for the language switch. */
  path: string;
  body: Html;
  /** ES modules of /assets (module scripts are deferred). */
  scripts?: readonly string[];
  /** Stylesheets of /assets after site.css. */
  styles?: readonly string[];
  current?: "home" | "app";
  /** Markup outside the page frame (a modal dialog, so the frame can be made inert under it). */
  outside?: Html;
}

/** The frame of every page: skip link, header with navigation, main, footer. */
export function page({
  language,
  m,
  title,
  path,
  body,
  scripts = [],
  styles = [],
  current,
  outside,
}: PageOptions): string {
  const other = m.otherLanguageCode as Language;
  const nav = (href: string, label: string, key: PageOptions["current"]) =>
    html`<li><a href="${link(href, language)}"${key === current ? new Html(' aria-current="page"') : ""}>${label}</a></li>`;
  return `<!doctype html>${html`<html lang="${language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} – ${m.serviceName}</title>
<link rel="stylesheet" href="/assets/site.css">
${styles.map((href) => html`<link rel="stylesheet" href="${href}">`)}
${scripts.map((src) => html`<script type="module" src="${src}"></script>`)}
</head>
<body>
<a class="skip-link" href="#main">${m.skipToContent}</a>
<div id="page">
<header class="site-header">
  <div class="wrap header-row">
    <a class="brand" href="${link("/", language)}">${m.serviceName}</a>
    <nav aria-label="${m.navLabel}">
      <ul>
        ${nav("/", m.navHome, "home")}
        ${nav("/app", m.navApp, "app")}
        <li><a href="${link(path, other)}" lang="${other}" hreflang="${other}">${m.otherLanguage}</a></li>
      </ul>
    </nav>
  </div>
</header>
<main id="main" tabindex="-1" class="wrap">
${body}
</main>
<footer class="site-footer">
  <div class="wrap">
    <p>${m.footer} <a href="/docs">${m.footerApi}</a></p>
  </div>
</footer>
</div>
${outside}
</body>
</html>`}`;
}
