// Staff: CSV import from the page — a dry run lists every problem by line, then the import.
import { authHeaders, problemText } from "./api.js";
import { $, el } from "./dom.js";
import { features } from "./features.js";
import { clear, say } from "./notice.js";
import { state } from "./state.js";
import { count, fill, S } from "./strings.js";
import { registerView } from "./views.js";

/** Uploads the file as text/csv with progress; resolves with the status and the parsed answer. */
function upload(file, dryRun) {
  const query = new URLSearchParams();
  if (dryRun) query.set("dry_run", "true");
  const url = `/v1/organizations/${state.orgId}/certifications/import${dryRun ? `?${query}` : ""}`;
  const box = $("import-progress-box");
  const bar = $("import-progress");
  bar.value = 0;
  box.hidden = false;
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    for (const [name, value] of Object.entries(authHeaders())) xhr.setRequestHeader(name, value);
    xhr.setRequestHeader("content-type", "text/csv");
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) bar.value = Math.round((event.loaded / event.total) * 100);
    };
    // Sent: the server checks the rows now; the bar shows work without an end in sight.
    xhr.upload.onload = () => bar.removeAttribute("value");
    xhr.onload = () => {
      box.hidden = true;
      let body = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        // not JSON: the status says enough
      }
      resolve({ status: xhr.status, body, language: xhr.getResponseHeader("content-language") });
    };
    xhr.onerror = () => {
      box.hidden = true;
      reject(new Error(S.networkError));
    };
    xhr.send(file);
  });
}

const rowText = (row, language) =>
  problemText({ code: row.code, detail: row.detail ?? row.message }, language);

function report(answer, dryRun) {
  const { status, body, language } = answer;
  const rows = body?.row_errors ?? body?.errors ?? [];
  const problems = Array.isArray(rows) ? rows.filter((r) => r && typeof r.line === "number") : [];
  const out = $("import-report");
  out.replaceChildren();
  if (problems.length) {
    out.append(
      el("h4", { id: "import-problems-heading" }, count("importProblemsHeading", { count: problems.length })),
      el(
        "ol",
        { class: "problems", "aria-labelledby": "import-problems-heading" },
        problems.map((r) =>
          el(
            "li",
            {},
            el("strong", {}, fill(S.importLine, { line: r.line })),
            " ",
            el("code", {}, r.code),
            " — ",
            rowText(r, language),
          ),
        ),
      ),
    );
    if (body?.errors_truncated) out.append(el("p", { class: "hint" }, S.importTruncated));
  }
  const held = body?.already_held ?? body?.unchanged ?? body?.duplicates ?? body?.existing ?? null;
  if (status >= 400 && !problems.length) {
    return { ok: false, text: problemText(body, language) || `HTTP ${status}` };
  }
  if (problems.length) {
    return {
      ok: false,
      text: fill(S.importHasProblems, { count: problems.length, rows: body?.rows ?? "?" }),
    };
  }
  const wouldWrite = body?.would_import ?? body?.imported ?? 0;
  if (dryRun) {
    return {
      ok: true,
      clean: true,
      text: fill(S.importDryRunOk, { rows: body?.rows ?? 0, count: wouldWrite, held: held ?? 0 }),
    };
  }
  if ((body?.imported ?? 0) === 0 && (body?.rows ?? 0) > 0) {
    return { ok: true, text: fill(S.importNothingNew, { rows: body.rows }) };
  }
  return { ok: true, text: fill(S.importDone, { count: body?.imported ?? 0, held: held ?? 0 }) };
}

async function run(dryRun) {
  const file = $("import-file").files?.[0];
  if (!file) {
    say(S.importChooseFile, true, "import-msg");
    return;
  }
  clear("import-msg");
  $("import-check").disabled = true;
  $("import-run").disabled = true;
  try {
    const answer = await upload(file, dryRun);
    const outcome = report(answer, dryRun);
    say(outcome.text, !outcome.ok, "import-msg");
    $("import-run").disabled = dryRun ? !outcome.clean : true;
  } catch (error) {
    say(error.message, true, "import-msg");
  } finally {
    $("import-check").disabled = !features.importDryRun;
  }
}

export function wireImport() {
  registerView("import", async () => {
    $("import-check").hidden = !features.importDryRun;
  });
  $("import-file").addEventListener("change", () => {
    $("import-report").replaceChildren();
    clear("import-msg");
    const chosen = Boolean($("import-file").files?.length);
    // With a dry run the file is checked at once; without, importing is all or nothing anyway.
    if (chosen && features.importDryRun) run(true);
    else $("import-run").disabled = !chosen;
  });
  $("import-check").addEventListener("click", () => run(true));
  $("import-form").addEventListener("submit", (event) => {
    event.preventDefault();
    run(false);
  });
}
