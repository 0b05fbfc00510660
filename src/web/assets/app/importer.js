// Staff: CSV import from the page — a dry run lists every problem by line, then the import.
import { authHeaders, problemText } from "./api.js";
import { $, el } from "./dom.js";
import { features } from "./features.js";
import { clear, say } from "./notice.js";
import { state } from "./state.js";
import { count, fill, locale, S } from "./strings.js";
import { registerView } from "./views.js";

const numbers = new Intl.NumberFormat(locale);

/** Lines in the file as the server counts them: its newlines, and a last line without one. */
async function linesIn(file) {
  let lines = 0;
  let last = 10;
  const reader = file.stream().getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    for (let at = value.indexOf(10); at !== -1; at = value.indexOf(10, at + 1)) lines += 1;
    if (value.length) last = value[value.length - 1];
  }
  return lines + (last === 10 ? 0 : 1);
}

/** Shows a progress line of the answer on the bar and in the polite live text below it. */
function showProgress(line, counted, dryRun) {
  const total = line.lines_total ?? counted;
  const bar = $("import-progress");
  if (!total) return;
  bar.max = total;
  bar.value = Math.min(line.lines_done, total);
  $("import-progress-text").textContent = fill(dryRun ? S.importProgressChecked : S.importProgressDone, {
    done: numbers.format(Math.min(line.lines_done, total)),
    total: numbers.format(total),
  });
}

/** Reads the ndjson answer line by line; resolves with the last line as the status and body. */
async function readLines(response, counted, dryRun) {
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  let last = null;
  const take = (text) => {
    if (!text.trim()) return;
    const line = JSON.parse(text);
    if (line.type === "progress") showProgress(line, counted, dryRun);
    else last = line;
  };
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buffered += value;
    const lines = buffered.split("\n");
    buffered = lines.pop() ?? "";
    for (const text of lines) take(text);
  }
  take(buffered);
  if (last?.type === "problem") return { status: last.problem?.status ?? 500, body: last.problem };
  if (last?.type === "result") {
    const { type: _type, ...body } = last;
    return { status: response.status, body };
  }
  throw new Error(S.networkError);
}

/**
 * Uploads the file as text/csv and asks for the answer as progress lines (ndjson): the bar and
 * the live text follow the lines the server has checked. Resolves with the status and the report.
 */
async function upload(file, dryRun) {
  const url = `/v1/organizations/${state.orgId}/certifications/import${dryRun ? "?dry_run=true" : ""}`;
  const box = $("import-progress-box");
  const bar = $("import-progress");
  // Until the first line is back the bar shows work without an end in sight.
  bar.removeAttribute("value");
  $("import-progress-text").textContent = "";
  box.hidden = false;
  let streamed = false;
  try {
    const counted = await linesIn(file);
    let response;
    try {
      response = await fetch(url, {
        method: "POST",
        headers: {
          ...authHeaders(),
          "content-type": "text/csv",
          accept: "application/x-ndjson, application/json",
        },
        body: file,
      });
    } catch {
      throw new Error(S.networkError);
    }
    const language = response.headers.get("content-language");
    if ((response.headers.get("content-type") ?? "").includes("application/x-ndjson")) {
      try {
        const answer = await readLines(response, counted, dryRun);
        // The full bar and its text stay beside the report until the next file.
        streamed = true;
        return { ...answer, language };
      } catch {
        throw new Error(S.networkError);
      }
    }
    let body = null;
    try {
      body = await response.json();
    } catch {
      // not JSON: the status says enough
    }
    return { status: response.status, body, language };
  } finally {
    box.hidden = !streamed;
  }
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
  // The live text stays in the page (outside the box that hides), so every change is announced.
  $("import-progress-box").after(
    el("p", { id: "import-progress-text", class: "hint", "aria-live": "polite" }),
  );
  registerView("import", async () => {
    $("import-check").hidden = !features.importDryRun;
  });
  $("import-file").addEventListener("change", () => {
    $("import-report").replaceChildren();
    $("import-progress-box").hidden = true;
    $("import-progress-text").textContent = "";
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
