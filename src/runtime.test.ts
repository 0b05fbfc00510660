import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

// The project brings its own Node.js (the `node` package, a dev dependency): npm scripts put
// node_modules/.bin first on PATH, so tests, `npm start` and the CLI run on it even where the
// system's Node.js is older.
const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
  engines: { node: string };
  devDependencies: Record<string, string>;
};

describe("runtime", () => {
  it("runs the suite on the Node.js major the project pins", () => {
    const pinned = manifest.devDependencies.node;
    expect(pinned).toMatch(/^\d+\.\d+\.\d+$/);
    expect(process.versions.node).toBe(pinned);
    expect(process.version.startsWith("v24.")).toBe(true);
  });

  it("declares the pinned major in engines", () => {
    expect(manifest.engines.node).toBe(">=24");
    expect(Number(manifest.devDependencies.node?.split(".")[0])).toBe(24);
  });
});
