import { expect } from "vitest";
import type { HttpAnswer } from "./http.js";

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors?: { field: string; message: string }[];
}

/** Words that would betray internals: stacks, SQL, drivers, file paths. */
const INTERNALS =
  /\bat .+\.(ts|js):\d+|node_modules|\bselect\b.+\bfrom\b|\binsert into\b|\bupdate .+ set\b|violates|constraint "|syntax error|pglite|\bpg\b|ECONNREFUSED|TypeError|RangeError|ReferenceError|\/work\//i;

/** Nothing internal in an answer's text. */
export function expectNothingInternal(answer: HttpAnswer): void {
  expect(answer.text).not.toMatch(INTERNALS);
  expect(answer.text).not.toContain('"stack"');
}

/** An RFC 9457 problem with the contract's fields, status and code, and nothing internal. */
export function expectProblem(answer: HttpAnswer, status: number, code: string): ProblemBody {
  const body = answer.body as ProblemBody;
  expect({ status: answer.status, code: body?.code, detail: body?.detail }).toMatchObject({ status, code });
  expect(answer.headers["content-type"]).toMatch(/^application\/problem\+json/);
  expect(body).toMatchObject({
    type: expect.any(String),
    title: expect.any(String),
    status,
    detail: expect.any(String),
    code,
  });
  if (status === 400) {
    expect(body.errors?.length ?? 0).toBeGreaterThan(0);
    for (const error of body.errors ?? []) {
      expect(error).toEqual({ field: expect.any(String), message: expect.any(String) });
    }
  }
  expectNothingInternal(answer);
  return body;
}
