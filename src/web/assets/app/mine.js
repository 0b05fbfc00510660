// A peer mentor's own certificates.
import { api } from "./api.js";
import { $, el, statusBadge, table } from "./dom.js";
import { pdfLink } from "./pdf.js";
import { state } from "./state.js";
import { formatDate, S } from "./strings.js";

export async function loadMine() {
  const me = state.me;
  const [page, ...typeLists] = await Promise.all([
    api("GET", `/v1/users/${me.user_id}/certifications?limit=200`),
    ...me.memberships.map((m) =>
      api("GET", `/v1/organizations/${m.organization_id}/certification-types`).catch(() => ({ items: [] })),
    ),
  ]);
  const typeNames = new Map(typeLists.flatMap((list) => list.items.map((t) => [t.id, t.name])));
  const box = $("mine-list");
  box.replaceChildren();
  if (page.items.length === 0) {
    box.append(el("p", {}, S.mineEmpty));
  } else {
    box.append(
      table(
        S.listCaption,
        [S.colNumber, S.colType, S.factOrganization, S.colStatus, S.colIssued, S.colExpires, S.downloadPdf],
        page.items.map((c) =>
          el(
            "tr",
            {},
            el("th", { scope: "row" }, c.certificate_number),
            el("td", {}, typeNames.get(c.certification_type_id) ?? c.certification_type_id),
            el("td", {}, state.orgNames.get(c.organization_id) ?? ""),
            el("td", {}, statusBadge(c.status)),
            el("td", {}, formatDate(c.issued_at)),
            el("td", {}, formatDate(c.expires_at)),
            el("td", {}, pdfLink(c)),
          ),
        ),
      ),
    );
  }
  $("mine").hidden = false;
}
