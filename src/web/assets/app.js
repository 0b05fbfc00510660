// The signed-in area (/app): plain browser JavaScript over the JSON API, no build step.
// The token comes from the URL fragment (#token=…) or the sign-in form and is kept in
// sessionStorage only, so it lives as long as the browser tab. The DOM is built with
// createElement and textContent only: nothing from the API is ever parsed as HTML.
(() => {
  const TOKEN_KEY = "certsvc.token";
  const PAGE_SIZE = 20;
  const S = JSON.parse(document.getElementById("app-strings").textContent);
  const lang = document.documentElement.lang === "en" ? "en" : "nb";
  const locale = lang === "en" ? "en-GB" : "nb-NO";
  const TZ = "Europe/Oslo";
  const dateFormat = new Intl.DateTimeFormat(locale, { dateStyle: "long", timeZone: TZ });
  const dateTimeFormat = new Intl.DateTimeFormat(locale, {
    dateStyle: "medium",
    timeStyle: "short",
    timeZone: TZ,
  });

  const $ = (id) => document.getElementById(id);
  const fill = (template, values) => template.replace(/\{(\w+)\}/g, (whole, key) => values[key] ?? whole);
  const formatDate = (iso) => (iso ? dateFormat.format(new Date(iso)) : S.noExpiry);

  /** Builds an element: el("a", { href: "/x", class: "y" }, "text", child). */
  function el(tag, attributes, ...children) {
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
  function statusBadge(status) {
    const known = STATUS[status];
    return el(
      "span",
      { class: `badge status-${status}` },
      el("span", { "aria-hidden": "true" }, known ? known.icon : "?"),
      known ? known.label() : status,
    );
  }

  // --- messages -------------------------------------------------------------------------------

  const notice = $("notice");
  let sayCount = 0;
  function say(text, isError = false) {
    const mine = ++sayCount;
    notice.classList.toggle("error", isError);
    // Emptied first so that the same message twice is announced twice.
    notice.textContent = "";
    window.setTimeout(() => {
      if (mine === sayCount) notice.textContent = isError ? `${S.errorPrefix} ${text}` : text;
    }, 50);
  }

  // --- the API --------------------------------------------------------------------------------

  class ApiError extends Error {
    constructor(status, problem) {
      super(problem?.detail || problem?.title || `HTTP ${status}`);
      this.status = status;
      this.problem = problem;
    }
  }

  const token = () => sessionStorage.getItem(TOKEN_KEY);

  async function request(method, path, body) {
    let response;
    try {
      response = await fetch(path, {
        method,
        headers: {
          authorization: `Bearer ${token()}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch {
      throw new ApiError(0, { detail: S.networkError });
    }
    if (response.status === 401) {
      signOut();
      throw new ApiError(401, { detail: S.sessionExpired });
    }
    if (!response.ok) {
      let problem = null;
      try {
        problem = await response.json();
      } catch {
        // not a problem document: the status says enough
      }
      throw new ApiError(response.status, problem);
    }
    return response;
  }

  const api = async (method, path, body) => (await request(method, path, body)).json();

  /** Runs an action and shows its problem, if any, in the live region. */
  async function attempt(action) {
    try {
      return await action();
    } catch (error) {
      say(error instanceof ApiError ? error.message : String(error), true);
      return undefined;
    }
  }

  // --- dates from <input type="date"> ------------------------------------------------------------

  /** "2026-05-01" → the ISO instant of midnight that day in Norway. */
  function osloMidnight(value) {
    const [y, m, d] = value.split("-").map(Number);
    const guess = Date.UTC(y, m - 1, d);
    const parts = Object.fromEntries(
      new Intl.DateTimeFormat("en-US", {
        timeZone: TZ,
        hourCycle: "h23",
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        minute: "2-digit",
        second: "2-digit",
      })
        .formatToParts(new Date(guess))
        .map((part) => [part.type, part.value]),
    );
    const asUtc = Date.UTC(
      Number(parts.year),
      Number(parts.month) - 1,
      Number(parts.day),
      Number(parts.hour),
      Number(parts.minute),
      Number(parts.second),
    );
    return new Date(guess - (asUtc - guess)).toISOString();
  }

  // --- state ----------------------------------------------------------------------------------

  const state = {
    me: null,
    orgId: null,
    types: new Map(),
    members: new Map(),
    orgNames: new Map(),
    cursors: [null],
    page: 0,
    detail: null,
    opener: null,
  };

  const link = (params) => `/app?${new URLSearchParams({ lang, ...params })}`;

  // --- sign-in --------------------------------------------------------------------------------

  function takeTokenFromFragment() {
    const fragment = new URLSearchParams(window.location.hash.slice(1));
    const handed = fragment.get("token");
    if (handed) {
      sessionStorage.setItem(TOKEN_KEY, handed.trim());
      // The token must not stay in the address bar, the history or a bookmark.
      history.replaceState(null, "", window.location.pathname + window.location.search);
    }
  }

  function showSignedOut() {
    for (const id of ["session", "mine", "staff", "detail"]) $(id).hidden = true;
    $("signin").hidden = false;
  }

  function signOut() {
    sessionStorage.removeItem(TOKEN_KEY);
    state.me = null;
    showSignedOut();
  }

  $("signin-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const value = $("token").value.trim();
    if (!value) return;
    sessionStorage.setItem(TOKEN_KEY, value);
    $("token").value = "";
    start();
  });

  $("signout").addEventListener("click", () => {
    signOut();
    $("token").focus();
  });

  // --- PDF download ---------------------------------------------------------------------------

  function pdfLink(certification, label) {
    const href = `/v1/certifications/${certification.id}/certificate.pdf?lang=${lang}`;
    return el(
      "a",
      {
        href,
        download: `${certification.certificate_number}.pdf`,
        onclick: (event) => {
          event.preventDefault();
          downloadPdf(href, `${certification.certificate_number}.pdf`);
        },
      },
      label ?? S.downloadPdf,
      el("span", { class: "visually-hidden" }, ` ${certification.certificate_number}`),
    );
  }

  /** The PDF needs the bearer token, so it is fetched and handed to the browser as a file. */
  async function downloadPdf(href, filename) {
    await attempt(async () => {
      const blob = await (await request("GET", href)).blob();
      const url = URL.createObjectURL(blob);
      const anchor = el("a", { href: url, download: filename, hidden: true });
      document.body.append(anchor);
      anchor.click();
      anchor.remove();
      window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
      say(S.pdfDownloaded);
    });
  }

  // --- my certificates ------------------------------------------------------------------------

  function table(caption, headers, rows) {
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

  async function loadMine() {
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

  // --- staff: organization, list, filters, pagination ------------------------------------------

  function options(select, items, placeholder) {
    select.replaceChildren(
      ...(placeholder === undefined ? [] : [el("option", { value: "" }, placeholder)]),
      ...items.map(([value, label]) => el("option", { value }, label)),
    );
  }

  async function loadOrganization(orgId) {
    state.orgId = orgId;
    const [types, members] = await Promise.all([
      api("GET", `/v1/organizations/${orgId}/certification-types`),
      api("GET", `/v1/organizations/${orgId}/members`),
    ]);
    state.types = new Map(types.items.map((t) => [t.id, t.name]));
    state.members = new Map(members.items.map((m) => [m.user_id, m.display_name]));
    options($("filter-type"), [...state.types], S.filterTypeAll);
    options($("grant-type"), [...state.types], S.chooseType);
    options(
      $("grant-member"),
      [...state.members].sort((a, b) => a[1].localeCompare(b[1], locale)),
      S.chooseMember,
    );
    state.cursors = [null];
    state.page = 0;
    await loadList();
  }

  function listQuery(cursor) {
    const query = new URLSearchParams({ limit: $("filter-page-size").value || String(PAGE_SIZE) });
    const status = $("filter-expiring").checked ? "expiring_soon" : $("filter-status").value;
    if (status) query.append("status", status);
    const type = $("filter-type").value;
    if (type) query.set("certification_type_id", type);
    if (cursor) query.set("cursor", cursor);
    return query;
  }

  async function loadList() {
    const cursor = state.cursors[state.page] ?? null;
    const result = await api("GET", `/v1/organizations/${state.orgId}/certifications?${listQuery(cursor)}`);
    state.cursors[state.page + 1] = result.next_cursor;
    const box = $("list");
    box.replaceChildren();
    if (result.items.length === 0) {
      box.append(el("p", {}, S.listEmpty));
    } else {
      box.append(
        table(
          S.listCaption,
          [S.colNumber, S.colHolder, S.colType, S.colStatus, S.colIssued, S.colExpires],
          result.items.map((c) =>
            el(
              "tr",
              {},
              el(
                "th",
                { scope: "row" },
                el(
                  "a",
                  {
                    href: link({ cert: c.id }),
                    onclick: (event) => {
                      event.preventDefault();
                      openDetail(c.id, event.currentTarget);
                    },
                  },
                  c.certificate_number,
                ),
              ),
              el("td", {}, state.members.get(c.user_id) ?? c.user_id),
              el("td", {}, state.types.get(c.certification_type_id) ?? c.certification_type_id),
              el("td", {}, statusBadge(c.status)),
              el("td", {}, formatDate(c.issued_at)),
              el("td", {}, formatDate(c.expires_at)),
            ),
          ),
        ),
      );
    }
    $("prev-page").disabled = state.page === 0;
    $("next-page").disabled = !result.next_cursor;
    $("pagination").hidden = state.page === 0 && !result.next_cursor;
  }

  $("org").addEventListener("change", (event) => {
    $("detail").hidden = true;
    attempt(() => loadOrganization(event.target.value));
  });

  $("filters").addEventListener("submit", (event) => {
    event.preventDefault();
    state.cursors = [null];
    state.page = 0;
    attempt(loadList);
  });

  $("prev-page").addEventListener("click", () => {
    if (state.page === 0) return;
    state.page -= 1;
    attempt(loadList);
  });

  $("next-page").addEventListener("click", () => {
    if (!state.cursors[state.page + 1]) return;
    state.page += 1;
    attempt(loadList);
  });

  // --- grant ----------------------------------------------------------------------------------

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

  // --- detail, renew, audit trail --------------------------------------------------------------

  const ACTIONS = {
    issued: () => S.actionIssued,
    renewed: () => S.actionRenewed,
    revoked: () => S.actionRevoked,
    reinstated: () => S.actionReinstated,
    expired: () => S.actionExpired,
    expiring_soon: () => S.actionExpiringSoon,
  };

  function actorName(event) {
    if (event.actor_user_id) return state.members.get(event.actor_user_id) ?? event.actor_user_id;
    if (event.actor.startsWith("system:")) return S.system;
    return event.actor;
  }

  function changes(before, after) {
    if (!before || !after || typeof before !== "object" || typeof after !== "object") return "";
    const lines = [];
    for (const key of Object.keys(after)) {
      if (key === "updated_at") continue;
      const was = JSON.stringify(before[key] ?? null);
      const now = JSON.stringify(after[key] ?? null);
      if (was !== now) lines.push(`${key}: ${was} → ${now}`);
    }
    return lines.join("\n");
  }

  function fact(label, value) {
    return el("div", {}, el("dt", {}, label), el("dd", {}, value));
  }

  async function openDetail(id, opener, focus = true) {
    const [certification, events] = await Promise.all([
      api("GET", `/v1/certifications/${id}`),
      api("GET", `/v1/certifications/${id}/events`),
    ]);
    state.detail = certification;
    state.opener = opener;
    const c = certification;
    $("detail-heading").textContent = fill(S.detailHeading, { number: c.certificate_number });
    $("detail-facts").replaceChildren(
      el(
        "dl",
        { class: "facts" },
        fact(S.factStatus, statusBadge(c.status)),
        fact(S.holder, state.members.get(c.user_id) ?? c.user_id),
        fact(S.factType, state.types.get(c.certification_type_id) ?? c.certification_type_id),
        fact(S.factIssued, formatDate(c.issued_at)),
        fact(S.factExpires, formatDate(c.expires_at)),
        fact(S.source, c.source === "course_completion" ? S.sourceCourse : S.sourceManual),
        c.notes ? fact(S.notes, c.notes) : null,
        c.revocation_reason ? fact(S.revokedReason, c.revocation_reason) : null,
      ),
    );
    $("detail-pdf").replaceWith(Object.assign(pdfLink(c), { id: "detail-pdf" }));
    const revoked = c.status === "revoked";
    $("renew-form").hidden = revoked;
    $("revoke-open").parentElement.hidden = revoked;
    $("audit").replaceChildren(
      table(
        S.auditCaption,
        [S.colWhen, S.colAction, S.colActor, S.colReason, S.colChanges],
        events.items.map((e) =>
          el(
            "tr",
            {},
            el("td", {}, dateTimeFormat.format(new Date(e.occurred_at))),
            el(
              "td",
              {},
              (
                ACTIONS[e.action] ??
                (() => (e.action.includes("+") || e.action === "updated" ? S.actionUpdated : e.action))
              )(),
            ),
            el("td", {}, actorName(e)),
            el("td", {}, e.reason ?? ""),
            el("td", { class: "changes" }, changes(e.before, e.after)),
          ),
        ),
      ),
    );
    $("detail").hidden = false;
    if (focus) $("detail-heading").focus();
  }

  $("detail-close").addEventListener("click", () => {
    $("detail").hidden = true;
    const back = state.opener && document.contains(state.opener) ? state.opener : $("staff-heading");
    if (back === $("staff-heading")) back.setAttribute("tabindex", "-1");
    back.focus();
  });

  $("renew-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const c = state.detail;
    const value = $("renew-expires").value;
    attempt(async () => {
      await api("POST", `/v1/certifications/${c.id}/renew`, value ? { expires_at: osloMidnight(value) } : {});
      $("renew-expires").value = "";
      say(fill(S.renewed, { number: c.certificate_number }));
      await Promise.all([loadList(), openDetail(c.id, state.opener, false)]);
    });
  });

  // --- revoke dialog: focus moves in, stays in, and returns -------------------------------------

  const dialog = $("revoke-dialog");
  const frame = $("page");
  const dialogError = el("p", { id: "revoke-error", class: "notice error", role: "alert" });
  $("revoke-form").insertBefore(dialogError, $("revoke-form").querySelector(".actions"));

  function openRevokeDialog() {
    const c = state.detail;
    $("revoke-heading").textContent = fill(S.revokeHeading, { number: c.certificate_number });
    $("revoke-reason").value = "";
    dialogError.textContent = "";
    // The page under the modal leaves the accessibility tree and the tab order.
    frame.inert = true;
    frame.setAttribute("aria-hidden", "true");
    dialog.showModal();
    $("revoke-reason").focus();
  }

  function closeRevokeDialog() {
    if (dialog.open) dialog.close();
  }

  dialog.addEventListener("close", () => {
    frame.inert = false;
    frame.removeAttribute("aria-hidden");
    const back = $("revoke-open");
    if (!back.parentElement.hidden) back.focus();
    else $("detail-heading").focus();
  });

  dialog.addEventListener("keydown", (event) => {
    if (event.key !== "Tab") return;
    const focusable = [...dialog.querySelectorAll("textarea, button, input, select, a[href]")].filter(
      (node) => !node.disabled && !node.hidden,
    );
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  });

  $("revoke-open").addEventListener("click", openRevokeDialog);
  $("revoke-cancel").addEventListener("click", closeRevokeDialog);

  $("revoke-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const c = state.detail;
    const reason = $("revoke-reason").value;
    try {
      await api("POST", `/v1/certifications/${c.id}/revoke`, { reason });
    } catch (error) {
      dialogError.textContent = `${S.errorPrefix} ${error.message}`;
      $("revoke-reason").focus();
      return;
    }
    closeRevokeDialog();
    say(fill(S.revoked, { number: c.certificate_number }));
    await attempt(() => Promise.all([loadList(), openDetail(c.id, state.opener, false)]));
    $("detail-heading").focus();
  });

  // --- start ----------------------------------------------------------------------------------

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

  takeTokenFromFragment();
  start();
})();
