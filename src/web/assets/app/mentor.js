// A peer mentor's own certificates: days left, the verification code with a copy-link and an
// on-screen QR code, the share links, the PDF; then badges and whom to contact.
import { api, attempt, request } from "./api.js";
import { credentialLink } from "./credential.js";
import { $, el, statusBadge } from "./dom.js";
import { copy, loadBadges, loadContacts } from "./mentor-extras.js";
import { shareManager } from "./mentor-share.js";
import { say } from "./notice.js";
import { pdfLink } from "./pdf.js";
import { state } from "./state.js";
import { fill, formatDate, S } from "./strings.js";

const DAY = 86_400_000;

/** "45 days left", "Expires today", "Expired 3 days ago", "Does not expire". */
export function daysLeft(expiresAt, now = Date.now()) {
  if (!expiresAt) return S.mentorNoExpiry;
  const left = new Date(expiresAt).getTime() - now;
  if (left <= 0) return fill(S.mentorExpiredDaysAgo, { days: Math.floor(-left / DAY) });
  const days = Math.floor(left / DAY);
  if (days === 0) return S.mentorExpiresToday;
  return days === 1 ? S.mentorOneDayLeft : fill(S.mentorDaysLeft, { days });
}

/** The QR code comes as SVG from the API (it needs the token), and is shown as an image. */
async function qrImage(certification) {
  const response = await request("GET", `/v1/certifications/${certification.id}/verification-qr.svg`);
  const svg = await response.text();
  return el("img", {
    class: "qr",
    src: `data:image/svg+xml;base64,${btoa(svg)}`,
    alt: fill(S.mentorQrAlt, { number: certification.certificate_number }),
    width: 200,
    height: 200,
  });
}

const verifyUrl = (number, code) =>
  `${window.location.origin}/verify/${encodeURIComponent(number)}?code=${encodeURIComponent(code)}`;

function card(certification, typeName, organizationName, code) {
  const id = certification.id;
  const number = certification.certificate_number;
  const region = el("div", {
    class: "notice",
    role: "status",
    "aria-live": "polite",
    id: `mine-notice-${id}`,
  });
  const codeValue = el("dd", { class: "code" }, code);
  const linkInput = el("input", {
    type: "text",
    readonly: true,
    id: `verify-link-${id}`,
    value: verifyUrl(number, code),
    "aria-describedby": `code-hint-${id}`,
  });
  const qrBox = el("div", { class: "qr-box", id: `qr-${id}`, hidden: true });
  const qrButton = el(
    "button",
    { type: "button", class: "secondary", "aria-expanded": "false", "aria-controls": `qr-${id}` },
    S.mentorShowQr,
  );
  qrButton.addEventListener("click", () =>
    attempt(async () => {
      const showing = qrButton.getAttribute("aria-expanded") === "true";
      if (!showing && qrBox.childElementCount === 0) qrBox.append(await qrImage(certification));
      qrBox.hidden = showing;
      qrButton.setAttribute("aria-expanded", String(!showing));
      qrButton.textContent = showing ? S.mentorShowQr : S.mentorHideQr;
    }, region),
  );
  const newCode = el("button", { type: "button", class: "secondary" }, S.mentorNewCode);
  newCode.addEventListener("click", () => {
    if (!window.confirm(S.mentorNewCodeConfirm)) return;
    attempt(async () => {
      const { verification_code: fresh } = await api("POST", `/v1/certifications/${id}/verification-code`);
      codeValue.textContent = fresh;
      linkInput.value = verifyUrl(number, fresh);
      qrBox.replaceChildren();
      qrBox.hidden = true;
      qrButton.setAttribute("aria-expanded", "false");
      qrButton.textContent = S.mentorShowQr;
      say(fill(S.mentorNewCodeDone, { number, code: fresh }), false, region);
    }, region);
  });
  const headingId = `mine-cert-${id}`;
  return el(
    "article",
    { class: "card mentor-card", "aria-labelledby": headingId },
    el("h3", { id: headingId }, typeName),
    el(
      "p",
      { class: "mentor-status" },
      statusBadge(certification.status),
      " ",
      el("span", { class: "days-left" }, daysLeft(certification.expires_at)),
    ),
    el(
      "dl",
      { class: "facts" },
      el("div", {}, el("dt", {}, S.mentorNumber), el("dd", { class: "number" }, number)),
      el("div", {}, el("dt", {}, S.mentorCode), codeValue),
      el("div", {}, el("dt", {}, S.factOrganization), el("dd", {}, organizationName)),
      el("div", {}, el("dt", {}, S.factIssued), el("dd", {}, formatDate(certification.issued_at))),
      el("div", {}, el("dt", {}, S.factExpires), el("dd", {}, formatDate(certification.expires_at))),
      el("div", {}, el("dt", {}, S.mentorDaysLeftLabel), el("dd", {}, daysLeft(certification.expires_at))),
    ),
    el("p", { class: "hint", id: `code-hint-${id}` }, S.mentorCodeHint),
    el("label", { for: `verify-link-${id}` }, S.mentorVerifyLink),
    el(
      "div",
      { class: "copy-row" },
      linkInput,
      el("button", { type: "button", onclick: () => copy(linkInput.value, region) }, S.mentorCopyLink),
    ),
    el(
      "div",
      { class: "mentor-actions" },
      qrButton,
      newCode,
      pdfLink(certification),
      credentialLink(certification, region),
    ),
    qrBox,
    region,
    shareManager(certification, typeName),
  );
}

export async function loadMine() {
  const me = state.me;
  const [page, ...typeLists] = await Promise.all([
    api("GET", `/v1/users/${me.user_id}/certifications?limit=200`),
    ...me.memberships.map((m) =>
      api("GET", `/v1/organizations/${m.organization_id}/certification-types`).catch(() => ({ items: [] })),
    ),
  ]);
  const typeNames = new Map(typeLists.flatMap((list) => list.items.map((t) => [t.id, t.name])));
  const codes = await Promise.all(
    page.items.map((c) =>
      api("GET", `/v1/certifications/${c.id}/verification-code`).then(
        (answer) => answer.verification_code,
        () => "",
      ),
    ),
  );
  const box = $("mine-list");
  box.replaceChildren();
  if (page.items.length === 0) box.append(el("p", {}, S.mineEmpty));
  page.items.forEach((c, index) => {
    box.append(
      card(
        c,
        typeNames.get(c.certification_type_id) ?? c.certification_type_id,
        state.orgNames.get(c.organization_id) ?? "",
        codes[index] ?? "",
      ),
    );
  });
  $("mine").hidden = false;
  await Promise.all([attempt(() => loadBadges(me.user_id)), attempt(() => loadContacts(me.memberships))]);
}
