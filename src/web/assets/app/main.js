// The signed-in area (/app): plain browser JavaScript modules over the JSON API, no build step.
import { fillOrganizations, wireAdmin } from "./admin.js";
import { api, attempt, token } from "./api.js";
import { wireBulk } from "./bulk.js";
import { onCertificationChanged, openDetail, wireDetail } from "./detail.js";
import { $ } from "./dom.js";
import { wireExpiring } from "./expiring.js";
import { detectFeatures } from "./features.js";
import { wireGrant } from "./grant.js";
import { wireImport } from "./importer.js";
import { refreshCerts, wireList } from "./list.js";
import { wireMembers } from "./members.js";
import { loadMine } from "./mentor.js";
import { wireModals } from "./modal.js";
import { loadOrganization } from "./org.js";
import { wireReport } from "./report.js";
import { showSignedOut, takeTokenFromFragment, wireSession } from "./session.js";
import { state } from "./state.js";
import { wireTypes } from "./types.js";
import { currentView, reloadView, wireViews } from "./views.js";

/** The organizations the caller works in as staff: all of them for a global admin. */
async function staffOrganizations(me) {
  let list = me.memberships
    .filter((m) => m.role === "coordinator" || m.role === "org_admin")
    .map((m) => [m.organization_id, m.organization_name]);
  if (me.is_global_admin) {
    const all = await attempt(() => api("GET", "/v1/organizations"));
    if (all) list = all.items.map((o) => [o.id, o.name]);
  }
  for (const [id, name] of list) state.orgNames.set(id, name);
  return list;
}

async function start() {
  if (!token()) {
    showSignedOut();
    return;
  }
  $("signin").hidden = true;
  const [me] = await Promise.all([attempt(() => api("GET", "/v1/me")), detectFeatures()]);
  if (!me) {
    if (!token()) showSignedOut();
    return;
  }
  state.me = me;
  $("me-name").textContent = me.display_name ?? me.user_id ?? me.kind;
  $("session").hidden = false;
  for (const m of me.memberships) state.orgNames.set(m.organization_id, m.organization_name);

  if (me.user_id) await attempt(loadMine);

  const orgs = await staffOrganizations(me);
  if (orgs.length === 0) return;
  fillOrganizations(orgs);
  $("staff").hidden = false;
  const params = new URLSearchParams(window.location.search);
  const requested = params.get("cert");
  await attempt(async () => {
    await loadOrganization(orgs[0][0], { view: params.get("view") ?? "certs" });
    if (requested) await openDetail(requested, null);
  });
}

async function reloadOrganizations() {
  fillOrganizations(await staffOrganizations(state.me));
}

wireSession(start);
wireModals();
wireViews();
wireList();
wireExpiring();
wireGrant();
wireMembers();
wireImport();
wireReport();
wireTypes();
wireAdmin(reloadOrganizations);
wireDetail();
wireBulk();
onCertificationChanged(async () => {
  if (currentView() === "certs") await refreshCerts();
  else await reloadView();
});
$("org").addEventListener("change", (event) => {
  attempt(() => loadOrganization(event.target.value));
});
takeTokenFromFragment();
start();
