/** Messages between bench/index.ts and its host process (bench/host.ts). */
import type { Dataset } from "./generate.js";
import type { Memory, Stats } from "./measure.js";

export type SweepKind = "daily" | "backlog";

/** The loops the host runs in process: raw SQL through the driver, or a use case called directly. */
export type LoopKind =
  | "eligibility_raw"
  | "eligibility_inprocess"
  | "get_by_id_raw"
  | "list_page_raw"
  | "issue_raw";

/** The statements `--explain` prints the plan of. */
export type ExplainedScenario = "eligibility" | "get_by_id" | "list_page" | "sweep_backlog";

export interface IssueCandidate {
  userId: string;
  typeId: string;
  /** Organization index in the data set. */
  o: number;
}

/** What the host answers to init: the data set, the ports and what requests are made from. */
export interface Fixtures {
  dataset: Dataset;
  databaseVersion: string;
  servicePort: number;
  barePort: number;
  tokens: string[];
  organizations: string[];
  pairs: { u: string; t: string; o: number }[];
  ids: { id: string; o: number }[];
}

export interface SweepResult {
  service: Stats;
  raw: Stats;
  counts: Record<string, number>;
  memory: Memory;
}

export interface ImportResult {
  service: Stats;
  /** null on PGlite (no COPY from a stream). */
  raw: Stats | null;
  firstErrors: unknown[];
  memory: Memory;
}

export type HostRequest = { id: number } & (
  | {
      cmd: "init";
      args: {
        databaseUrl: string | null;
        dataDir: string | null;
        size: number;
        poolSize: number;
        secret: string;
      };
    }
  | { cmd: "loop"; args: { kind: LoopKind; warmupMs: number; durationMs: number } }
  | { cmd: "issuePrepare"; args: { hot: boolean; max: number } }
  | { cmd: "cleanup"; args: { mark: string } }
  | { cmd: "sweep"; args: { kind: SweepKind } }
  | { cmd: "import"; args: { rows: number; maxMs: number } }
  | { cmd: "explain"; args: { scenario: ExplainedScenario } }
  | { cmd: "profileStart"; args: null }
  | { cmd: "profileStop"; args: { file: string } }
  | { cmd: "close"; args: null }
);

export type HostResponse =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: string };
