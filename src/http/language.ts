import type { IncomingMessage } from "node:http";
import accepts from "accepts";
import type { FastifyRequest } from "fastify";
import { DEFAULT_LANGUAGE, type Language } from "../domain/messages.js";

// Norwegian in any of its tags is bokmål here; the first offered wins a tie (and `*`).
const OFFERED = ["nb", "en", "no", "nn"];

/** The language an Accept-Language header asks for: nb or en, nb when it names neither. */
export function headerLanguage(header: string | undefined): Language {
  if (!header) return DEFAULT_LANGUAGE;
  // accepts reads the headers only.
  const request = { headers: { "accept-language": header } } as IncomingMessage;
  return accepts(request).languages(OFFERED) === "en" ? "en" : "nb";
}

/** The language a request asks for in Accept-Language (the pages let `?lang=` win first). */
export function requestLanguage(request: FastifyRequest): Language {
  return headerLanguage(request.headers["accept-language"]);
}
