/** Messages between bench/index.ts and its host process (bench/host.ts). */
export type SweepKind = "daily" | "backlog";

export interface IssueCandidate {
  userId: string;
  typeId: string;
  /** Organization index in the data set. */
  o: number;
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
  | { cmd: "loop"; args: { kind: string; warmupMs: number; durationMs: number } }
  | { cmd: "issuePrepare"; args: { hot: boolean; max: number } }
  | { cmd: "cleanup"; args: { mark: string } }
  | { cmd: "sweep"; args: { kind: SweepKind } }
  | { cmd: "import"; args: { rows: number; maxMs: number } }
  | { cmd: "explain"; args: { scenario: string } }
  | { cmd: "profileStart"; args: null }
  | { cmd: "profileStop"; args: { file: string } }
  | { cmd: "close"; args: null }
);

export type HostResponse =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: string };
