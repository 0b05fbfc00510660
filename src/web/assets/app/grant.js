// Staff: a manual grant, to a member found by name.
import { api, attempt } from "./api.js";
import { osloMidnight } from "./dates.js";
import { openDetail } from "./detail.js";
import { $ } from "./dom.js";
import { say } from "./notice.js";
import { MemberPicker } from "./picker.js";
import { state } from "./state.js";
import { fill, S } from "./strings.js";
import { registerView, showView } from "./views.js";

let picker;

/** Opens the grant view with a member already chosen. */
export async function grantTo(userId) {
  await showView("grant");
  picker.choose(userId);
  $("grant-type").focus();
}

export function wireGrant() {
  picker = new MemberPicker({ input: "grant-member-q", results: "grant-member-results", name: "grant-user" });
  registerView("grant", async () => picker.render());
  $("grant-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    const userId = picker.value;
    if (!userId) {
      say(S.chooseMemberFirst, true, "grant-msg");
      $("grant-member-q").focus();
      return;
    }
    const body = { user_id: userId, certification_type_id: $("grant-type").value };
    if ($("grant-issued").value) body.issued_at = osloMidnight($("grant-issued").value);
    if ($("grant-expires").value) body.expires_at = osloMidnight($("grant-expires").value);
    if ($("grant-notes").value.trim()) body.notes = $("grant-notes").value.trim();
    attempt(async () => {
      const created = await api("POST", `/v1/organizations/${state.orgId}/certifications`, body);
      form.reset();
      picker.reset();
      say(
        fill(S.granted, {
          number: created.certificate_number,
          name: state.members.get(userId)?.display_name ?? "",
        }),
        false,
        "grant-msg",
      );
      await openDetail(created.id, null, false);
    }, "grant-msg");
  });
}
