// The signed-in area (/app): plain browser JavaScript modules over the JSON API, no build step.
import { api, attempt, token } from "./api.js";
import { openDetail, wireDetail } from "./detail.js";
import { $, options } from "./dom.js";
import { wireGrant } from "./grant.js";
import { loadList, loadOrganization, wireList } from "./list.js";
import { loadMine } from "./mine.js";
import { wireRevoke } from "./revoke.js";
import { showSignedOut, takeTokenFromFragment, wireSession } from "./session.js";
import { state } from "./state.js";

async function start() {
  if (!token()) {
    showSignedOut();
    return;
  }
  $("signin").hidden = true;
  const me = await attempt(() => api("GET", "/v1/me"));
  if (!me) {
    if (!token()) showSignedOut();
    return;
  }
  state.me = me;
  $("me-name").textContent = me.display_name ?? me.user_id ?? me.kind;
  $("session").hidden = false;
  for (const m of me.memberships) state.orgNames.set(m.organization_id, m.organization_name);

  if (me.user_id) await attempt(loadMine);

  let staffOrgs = me.memberships
    .filter((m) => m.role === "coordinator" || m.role === "org_admin")
    .map((m) => [m.organization_id, m.organization_name]);
  if (me.is_global_admin) {
    const all = await attempt(() => api("GET", "/v1/organizations"));
    if (all) staffOrgs = all.items.map((o) => [o.id, o.name]);
  }
  if (staffOrgs.length === 0) return;
  for (const [id, name] of staffOrgs) state.orgNames.set(id, name);
  options($("org"), staffOrgs);
  $("staff").hidden = false;
  const requested = new URLSearchParams(window.location.search).get("cert");
  await attempt(async () => {
    await loadOrganization(staffOrgs[0][0]);
    if (requested) await openDetail(requested, null);
  });
}

wireSession(start);
wireList();
wireGrant();
wireDetail(loadList);
wireRevoke();
takeTokenFromFragment();
start();
