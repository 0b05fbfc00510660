import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const SRC = new URL(".", import.meta.url).pathname;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith(".ts") && !name.endsWith(".test.ts") ? [path] : [];
  });
}

function layerOf(path: string): string {
  return relative(SRC, path).split("/")[0] ?? "";
}

/** What each layer may import (besides itself and packages). */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  domain: [],
  storage: ["domain"],
  services: ["domain", "storage", "observability"],
  jobs: ["domain", "storage", "services", "observability"],
  http: ["domain", "storage", "services", "observability", "config.ts", "jobs"],
  web: ["domain", "storage", "services", "http", "observability"],
  cli: [
    "domain",
    "storage",
    "services",
    "jobs",
    "http",
    "web",
    "observability",
    "config.ts",
    "main.ts",
    "logger.ts",
  ],
  observability: ["storage"],
};

describe("architecture", () => {
  const files = sourceFiles(SRC);

  it.each(Object.keys(ALLOWED))("%s imports only the layers beneath it", (layer) => {
    const offences: string[] = [];
    for (const file of files.filter((path) => layerOf(path) === layer)) {
      const text = readFileSync(file, "utf8");
      for (const match of text.matchAll(/from\s+"(\.{1,2}\/[^"]+)"/g)) {
        const target = join(file, "..", match[1] ?? "");
        const targetLayer = layerOf(target.replace(/\.js$/, ".ts"));
        if (targetLayer !== layer && !ALLOWED[layer]?.includes(targetLayer)) {
          offences.push(`${relative(SRC, file)} → ${relative(SRC, target)}`);
        }
      }
    }
    expect(offences).toEqual([]);
  });

  it("the domain does no I/O and reads no clock", () => {
    for (const file of files.filter((path) => layerOf(path) === "domain")) {
      const text = readFileSync(file, "utf8");
      expect(text, file).not.toMatch(/from\s+"node:(fs|net|http|child_process)"|new Date\(\)|Date\.now\(\)/);
    }
  });
});
