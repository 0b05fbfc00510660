import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedRequest {
  headers: IncomingHttpHeaders;
  body: string;
  answered: number;
}

/**
 * A real HTTP receiver on 127.0.0.1 standing in for the course-notification service: the one
 * edge the tests fake. `answer(n)` gives the status of the n-th request (from 1).
 */
export async function startReceiver(answer: (n: number) => number = () => 200) {
  const requests: ReceivedRequest[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const status = answer(requests.length + 1);
      requests.push({
        headers: request.headers,
        body: Buffer.concat(chunks).toString("utf8"),
        answered: status,
      });
      response.writeHead(status, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/notify`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
