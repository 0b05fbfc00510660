import { parseArgs } from "node:util";

/** The command line of `npm run bench` (see bench/index.ts), with each default by mode. */
export interface Options {
  quick: boolean;
  embedded: boolean;
  /** Scenario name prefixes to run; null: all. */
  only: string[] | null;
  profile: boolean;
  explain: boolean;
  size: number;
  warmupMs: number;
  durationMs: number;
  importRows: number;
  importMaxMs: number;
  rounds: number;
  poolSize: number;
}

export const USAGE = `usage: npm run bench -- [--quick] [--embedded] [--only a,b] [--profile] [--explain]
  [--size n] [--duration s] [--warmup s] [--rounds n] [--import-rows n] [--import-max s]`;

export function parseOptions(argv: readonly string[], env: NodeJS.ProcessEnv): Options {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      quick: { type: "boolean", default: false },
      embedded: { type: "boolean", default: false },
      only: { type: "string" },
      profile: { type: "boolean", default: false },
      explain: { type: "boolean", default: false },
      size: { type: "string" },
      duration: { type: "string" },
      warmup: { type: "string" },
      rounds: { type: "string" },
      "import-rows": { type: "string" },
      "import-max": { type: "string" },
    },
  });
  const { quick, embedded } = values;
  const number = (name: string, text: string | undefined, fallback: number) => {
    if (text === undefined) return fallback;
    const value = Number(text);
    if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a number, not ${text}`);
    return value;
  };
  return {
    quick,
    embedded,
    only: values.only?.split(",") ?? null,
    profile: values.profile,
    explain: values.explain,
    size: number("size", values.size, quick ? (embedded ? 20_000 : 100_000) : embedded ? 50_000 : 1_000_000),
    warmupMs: number("warmup", values.warmup, quick ? 1 : 3) * 1000,
    durationMs: number("duration", values.duration, quick ? 3 : 10) * 1000,
    importRows: number("import-rows", values["import-rows"], quick ? 10_000 : embedded ? 20_000 : 100_000),
    importMaxMs: number("import-max", values["import-max"], quick ? 20 : 120) * 1000,
    rounds: number("rounds", values.rounds, quick ? 1 : 4),
    poolSize: number("CERTSVC_DB_POOL_SIZE", env.CERTSVC_DB_POOL_SIZE, 10),
  };
}
