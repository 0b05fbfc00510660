import type pg from "pg";

/**
 * `COPY … FROM STDIN` through pg's own protocol support, without pg-copy-streams: pg hands a
 * "submittable" the connection when the server answers CopyInResponse, and we send CopyData
 * chunks and CopyDone ourselves. `chunks` yields CSV text; backpressure follows the socket.
 */
interface CopyConnection {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
  sendCopyFail(message: string): void;
  stream: NodeJS.WritableStream & { writableNeedDrain?: boolean };
}

class CopyFromStdin {
  callback: ((error: Error | null) => void) | undefined;
  #rows = 0;
  #failed: Error | null = null;
  readonly done: Promise<number>;
  #resolve!: (rows: number) => void;
  #reject!: (error: Error) => void;

  constructor(
    private readonly text: string,
    private readonly chunks: AsyncIterable<string>,
  ) {
    this.done = new Promise<number>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
  }

  submit(connection: CopyConnection): void {
    connection.query(this.text);
  }

  handleCopyInResponse(connection: CopyConnection): void {
    void (async () => {
      try {
        for await (const chunk of this.chunks) {
          connection.sendCopyFromChunk(Buffer.from(chunk, "utf8"));
          if (connection.stream.writableNeedDrain) {
            await new Promise<void>((resolve) => connection.stream.once("drain", () => resolve()));
          }
        }
        connection.endCopyFrom();
      } catch (error) {
        connection.sendCopyFail((error as Error).message);
      }
    })();
  }

  handleCommandComplete(message: { text?: string; command?: string; rowCount?: number }): void {
    this.#rows = message.rowCount ?? Number.parseInt(/\d+$/.exec(message.text ?? "")?.[0] ?? "0", 10);
  }

  handleReadyForQuery(): void {
    if (this.#failed) this.#reject(this.#failed);
    else this.#resolve(this.#rows);
    this.callback?.(this.#failed);
  }

  handleError(error: Error): void {
    this.#failed = error;
  }

  handleCopyData(): void {}
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
}

/** Runs one COPY … FROM STDIN on `client`; resolves with the number of rows copied. */
export async function copyFrom(client: pg.PoolClient, text: string, chunks: AsyncIterable<string>) {
  const copy = new CopyFromStdin(text, chunks);
  (client as unknown as { query(submittable: CopyFromStdin): void }).query(copy);
  return copy.done;
}

/** A CSV field: quoted when it holds a separator, quote or line break; empty (unquoted) is NULL. */
export function csvField(value: string | number | null): string {
  if (value === null) return "";
  const text = String(value);
  return /[",\n\r]/.test(text) || text === "" ? `"${text.replaceAll('"', '""')}"` : text;
}
