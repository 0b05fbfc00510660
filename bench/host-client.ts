import { fork } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { HostRequest, HostResponse } from "./protocol.js";

const here = dirname(fileURLToPath(import.meta.url));

/** A command to the host and its arguments, as a tuple, from the protocol's union. */
type Call = HostRequest extends infer R
  ? R extends { cmd: infer C; args: infer A }
    ? [C, A]
    : never
  : never;

export interface HostClient {
  call<T>(...call: Call): Promise<T>;
  stop(): Promise<void>;
}

/** Forks bench/host.ts and returns a promise-returning call into it. */
export function startHost(): HostClient {
  const child = fork(join(here, "host.ts"), [], {
    execArgv: ["--import", "tsx", "--expose-gc"],
    stdio: ["inherit", "inherit", "inherit", "ipc"],
  });
  let next = 1;
  const waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  child.on("message", (message: HostResponse) => {
    const entry = waiting.get(message.id);
    if (!entry) return;
    waiting.delete(message.id);
    if (message.ok) entry.resolve(message.result);
    else entry.reject(new Error(`host: ${message.error}`));
  });
  child.on("exit", (code) => {
    for (const entry of waiting.values()) entry.reject(new Error(`host exited with ${code}`));
    waiting.clear();
  });
  const call = <T>(...[cmd, args]: Call): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (!child.connected) return reject(new Error("the host process is not running"));
      const id = next++;
      waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
      // With a callback, a send on a closed channel fails this call instead of the process.
      child.send({ id, cmd, args } as HostRequest, (error) => {
        if (!error) return;
        waiting.delete(id);
        reject(error);
      });
    });
  const stop = async () => {
    await call("close", null).catch(() => {});
    await new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.disconnect();
    });
  };
  return { call, stop };
}
