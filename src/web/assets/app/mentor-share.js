// The holder's share links of one certificate: make one for 1–90 days, see expiry and views,
// copy or withdraw it.
import { api, attempt } from "./api.js";
import { el, table } from "./dom.js";
import { copy } from "./mentor-extras.js";
import { say } from "./notice.js";
import { fill, formatDate, S } from "./strings.js";

const STATE_WORDS = {
  live: () => S.shareStateLive,
  expired: () => S.shareStateExpired,
  withdrawn: () => S.shareStateWithdrawn,
};

function row(link, certificationId, region, refresh) {
  const live = link.state === "live";
  const label = fill(S.shareLinkLabel, { date: formatDate(link.expires_at) });
  return el(
    "tr",
    {},
    el(
      "td",
      {},
      live
        ? el("input", {
            type: "text",
            readonly: true,
            value: link.url,
            "aria-label": label,
            class: "share-url",
          })
        : el("span", { class: "hint" }, "—"),
    ),
    el("td", {}, formatDate(link.expires_at)),
    el("td", { class: "views" }, String(link.views)),
    el("td", {}, (STATE_WORDS[link.state] ?? (() => link.state))()),
    el(
      "td",
      { class: "share-actions" },
      live
        ? el(
            "button",
            {
              type: "button",
              class: "secondary",
              "aria-label": `${S.shareCopy}: ${label}`,
              onclick: () => copy(link.url, region),
            },
            S.shareCopy,
          )
        : null,
      live
        ? el(
            "button",
            {
              type: "button",
              class: "danger",
              "aria-label": `${S.shareWithdraw}: ${label}`,
              onclick: () =>
                attempt(async () => {
                  await api("DELETE", `/v1/certifications/${certificationId}/share-links/${link.id}`);
                  say(S.shareWithdrawn, false, region);
                  await refresh();
                }, region),
            },
            S.shareWithdraw,
          )
        : null,
    ),
  );
}

export function shareManager(certification, typeName) {
  const id = certification.id;
  const region = el("div", {
    class: "notice",
    role: "status",
    "aria-live": "polite",
    id: `share-notice-${id}`,
  });
  const list = el("div", { class: "share-list" });
  const headingId = `share-heading-${id}`;
  const refresh = async () => {
    const { items } = await api("GET", `/v1/certifications/${id}/share-links`);
    list.replaceChildren(
      items.length === 0
        ? el("p", {}, S.shareNone)
        : table(
            fill(S.shareCaption, { number: certification.certificate_number }),
            [S.shareColLink, S.shareColExpires, S.shareColViews, S.shareColState, S.shareColAction],
            items.map((link) => row(link, id, region, refresh)),
          ),
    );
  };
  const days = el("input", {
    type: "number",
    id: `share-days-${id}`,
    name: "expires_in_days",
    min: 1,
    max: 90,
    value: 30,
    required: true,
    inputmode: "numeric",
  });
  const form = el(
    "form",
    { class: "share-form", "aria-labelledby": headingId },
    el("label", { for: `share-days-${id}` }, S.shareDays),
    el("div", { class: "copy-row" }, days, el("button", { type: "submit" }, S.shareCreate)),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    attempt(async () => {
      const link = await api("POST", `/v1/certifications/${id}/share-links`, {
        expires_in_days: Number(days.value),
      });
      say(fill(S.shareCreated, { date: formatDate(link.expires_at) }), false, region);
      await refresh();
    }, region);
  });
  attempt(refresh, region);
  return el(
    "section",
    { class: "share", "aria-labelledby": headingId },
    el("h4", { id: headingId }, `${S.shareHeading}: ${typeName}`),
    el("p", { class: "hint" }, S.shareIntro),
    form,
    region,
    list,
  );
}
