import { AjvCompiler } from "@fastify/ajv-compiler";
import type { Options as AjvOptions } from "ajv";

const TIMESTAMP = /^(\d{4})-(\d\d)-(\d\d)[Tt](\d\d):(\d\d):(\d\d)(?:\.\d{1,9})?(?:[Zz]|[+-](\d\d):(\d\d))$/;
const EARLIEST = Date.UTC(1000, 0, 2);
const LATEST = Date.UTC(9999, 11, 30);

/**
 * An RFC 3339 date-time with a time zone that names a real instant: no 30 February, no leap
 * second (JavaScript has none), and a year of four digits wherever it is read, as certificate
 * numbers need.
 */
export function isTimestamp(value: string): boolean {
  const match = TIMESTAMP.exec(value);
  if (!match) return false;
  const [year, month, day, hour, minute, second, offsetHours, offsetMinutes] = match
    .slice(1)
    .map((part) => (part === undefined ? 0 : Number(part))) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth) return false;
  if (hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59) return false;
  const instant = Date.parse(value);
  return Number.isFinite(instant) && instant >= EARLIEST && instant <= LATEST;
}

const customOptions: AjvOptions = { removeAdditional: false, coerceTypes: "array", allErrors: true };

/** Fastify's `ajv` option: the options of the validators of query, path and headers. */
export const ajvOptions = {
  customOptions,
  // RFC 3339 as ajv-formats has it, but only instants JavaScript and PostgreSQL both take.
  onCreate: (ajv: {
    addFormat(name: string, format: { type: "string"; validate: (value: string) => boolean }): unknown;
  }) => ajv.addFormat("date-time", { type: "string", validate: isTimestamp }),
};

type BuildValidator = ReturnType<typeof AjvCompiler>;

/**
 * Query strings, paths and headers are text, so their validators coerce ("5" → 5, one `status`
 * → [status]); a JSON body already has types, and its validator takes them as they are
 * (`notes: 123` is refused, never turned into "123").
 */
export function strictBodyValidators(): BuildValidator {
  const coercing = AjvCompiler();
  const strict = AjvCompiler();
  return (schemas, options) => {
    const text = coercing(schemas, options);
    const json = strict(schemas, {
      ...options,
      customOptions: { ...options?.customOptions, coerceTypes: false },
    } as typeof options);
    return (route) => (route.httpPart === "body" ? json(route) : text(route));
  };
}
