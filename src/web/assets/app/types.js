// Org admins: certification types — create, edit (for new issuances), retire.
import { api, attempt } from "./api.js";
import { $, button, el, table } from "./dom.js";
import { features } from "./features.js";
import { askConfirm, closeModal, openModal } from "./modal.js";
import { say } from "./notice.js";
import { loadTypes } from "./org.js";
import { state } from "./state.js";
import { fill, S } from "./strings.js";
import { registerView } from "./views.js";

const retired = (t) => Boolean(t.retired_at ?? t.retired);
const validity = (t) =>
  t.validity_months === null ? S.lifetime : fill(S.months, { count: t.validity_months });
const numberOrNull = (value) => (value.trim() === "" ? null : Number(value));

let editing = null;

function editType(t, opener) {
  editing = t;
  $("type-edit-heading").textContent = fill(S.typeEditHeading, { name: t.name });
  $("type-edit-name").value = t.name;
  $("type-edit-validity").value = t.validity_months ?? "";
  $("type-edit-warning").value = String(t.warning_days);
  openModal($("type-dialog"), { opener, first: $("type-edit-name") });
}

function actions(t) {
  if (t.organization_id !== state.orgId || !features.editType || retired(t)) return "";
  return el(
    "div",
    { class: "inline-controls" },
    button(S.edit, {
      class: "secondary",
      "aria-label": fill(S.editTypeFor, { name: t.name }),
      onclick: (event) => editType(t, event.currentTarget),
    }),
    button(S.retire, {
      class: "danger",
      "aria-label": fill(S.retireTypeFor, { name: t.name }),
      onclick: (event) =>
        askConfirm({
          heading: fill(S.retireHeading, { name: t.name }),
          intro: S.retireIntro,
          confirm: S.retire,
          opener: event.currentTarget,
          say,
          submit: async () => {
            await api("PATCH", `/v1/certification-types/${t.id}`, { retired: true });
            say(fill(S.typeRetired, { name: t.name }), false, "types-msg");
            await renderTypes();
          },
        }),
    }),
  );
}

async function renderTypes() {
  await loadTypes();
  $("types-list").replaceChildren(
    table(
      S.typesCaption,
      [S.typeName, S.typeValidityShort, S.typeWarningShort, S.typeScope, S.colActions],
      state.typeList.map((t) =>
        el(
          "tr",
          {},
          el(
            "th",
            { scope: "row" },
            t.name,
            retired(t) ? el("span", { class: "tag" }, ` (${S.typeIsRetired})`) : null,
          ),
          el("td", {}, validity(t)),
          el("td", {}, fill(S.days, { count: t.warning_days })),
          el("td", {}, t.organization_id ? S.typeOwn : S.typeGlobal),
          el("td", {}, actions(t)),
        ),
      ),
    ),
  );
}

export function wireTypes() {
  registerView("types", () => attempt(renderTypes, "types-msg"));

  $("type-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const body = {
      name: $("type-name").value.trim(),
      validity_months: numberOrNull($("type-validity").value),
    };
    const warning = numberOrNull($("type-warning").value);
    if (warning !== null) body.warning_days = warning;
    attempt(async () => {
      await api("POST", `/v1/organizations/${state.orgId}/certification-types`, body);
      event.target.reset();
      say(fill(S.typeCreated, { name: body.name }), false, "type-form-msg");
      await renderTypes();
    }, "type-form-msg");
  });

  $("type-edit-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const t = editing;
    const body = {
      name: $("type-edit-name").value.trim(),
      validity_months: numberOrNull($("type-edit-validity").value),
      warning_days: numberOrNull($("type-edit-warning").value) ?? t.warning_days,
    };
    try {
      await api("PATCH", `/v1/certification-types/${t.id}`, body);
    } catch (error) {
      say(error.message, true, "type-edit-msg");
      return;
    }
    closeModal($("type-dialog"));
    say(fill(S.typeSaved, { name: body.name }), false, "types-msg");
    await attempt(renderTypes, "types-msg");
  });
}
