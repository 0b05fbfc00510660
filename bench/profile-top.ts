/**
 * Summarises a V8 .cpuprofile (from `npm run bench -- --profile`): self time by function, the top
 * entries first, and the share spent under node_modules packages.
 *   npx tsx bench/profile-top.ts bench/profiles/<file>.cpuprofile [count]
 */
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

const [file, countArg] = process.argv.slice(2);
if (!file) throw new Error("usage: profile-top.ts <file.cpuprofile> [count]");
const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
const selfTime = new Map<number, number>();
const samples = profile.samples ?? [];
const deltas = profile.timeDeltas ?? [];
for (let i = 0; i < samples.length; i++) {
  const id = samples[i] ?? 0;
  selfTime.set(id, (selfTime.get(id) ?? 0) + (deltas[i] ?? 0));
}
const total = [...selfTime.values()].reduce((a, b) => a + b, 0);
const byFunction = new Map<string, number>();
const byPackage = new Map<string, number>();
for (const node of profile.nodes) {
  const time = selfTime.get(node.id) ?? 0;
  if (time === 0) continue;
  const url = node.callFrame.url.replace(/^file:\/\/\/work\/main\//, "");
  const key = `${node.callFrame.functionName || "(anonymous)"} ${url}:${node.callFrame.lineNumber + 1}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + time);
  const pkg =
    /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1] ??
    (url.startsWith("node:")
      ? "node:internal"
      : url === ""
        ? `(${node.callFrame.functionName})`
        : url.startsWith("src/")
          ? "src"
          : url.startsWith("bench/")
            ? "bench"
            : "other");
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + time);
}
const pct = (t: number) => `${((100 * t) / total).toFixed(1).padStart(5)}%`;
const count = Number(countArg ?? 30);
process.stdout.write(`total sampled ${(total / 1e6).toFixed(1)} s\n\nself time by package:\n`);
for (const [pkg, t] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 15))
  process.stdout.write(`${pct(t)}  ${pkg}\n`);
process.stdout.write("\nself time by function:\n");
for (const [key, t] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, count))
  process.stdout.write(`${pct(t)}  ${key}\n`);
