// Staff: a manual grant.
import { api, attempt } from "./api.js";
import { osloMidnight } from "./dates.js";
import { openDetail } from "./detail.js";
import { $ } from "./dom.js";
import { loadList } from "./list.js";
import { say } from "./notice.js";
import { state } from "./state.js";
import { fill, S } from "./strings.js";

export function wireGrant() {
  $("grant-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    const body = {
      user_id: $("grant-member").value,
      certification_type_id: $("grant-type").value,
    };
    if ($("grant-issued").value) body.issued_at = osloMidnight($("grant-issued").value);
    if ($("grant-expires").value) body.expires_at = osloMidnight($("grant-expires").value);
    if ($("grant-notes").value.trim()) body.notes = $("grant-notes").value.trim();
    attempt(async () => {
      const created = await api("POST", `/v1/organizations/${state.orgId}/certifications`, body);
      form.reset();
      say(fill(S.granted, { number: created.certificate_number }));
      await loadList();
      await openDetail(created.id, null, false);
    });
  });
}
