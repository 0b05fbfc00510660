import { STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import type { FastifyServerOptions } from "fastify";
import { problem } from "./problems.js";

/**
 * Errors Node's HTTP parser meets before Fastify sees a request (headers too large, a malformed
 * request line, a body that did not arrive within the request timeout) answered as problems
 * too, then the connection is closed, as Node does.
 */
export const clientErrorHandler: NonNullable<FastifyServerOptions["clientErrorHandler"]> = (
  error: Error & { code?: string },
  socket: Socket,
) => {
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  const body =
    error.code === "ERR_HTTP_REQUEST_TIMEOUT"
      ? problem("request_timeout", "The request did not arrive in time")
      : error.code === "HPE_HEADER_OVERFLOW"
        ? problem("request_header_fields_too_large", "The request's headers are over the size allowed")
        : problem("invalid_request", "The request is not valid HTTP", [
            { field: "request", message: "malformed HTTP request" },
          ]);
  const text = JSON.stringify(body);
  // A response already under way on this connection cannot be replaced (Node does the same).
  const pending = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (socket.writable && !pending?.headersSent) {
    socket.write(
      `HTTP/1.1 ${body.status} ${STATUS_CODES[body.status]}\r\n` +
        "Content-Type: application/problem+json; charset=utf-8\r\n" +
        `Content-Length: ${Buffer.byteLength(text)}\r\n` +
        "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n" +
        text,
    );
  }
  socket.destroy(error);
};
