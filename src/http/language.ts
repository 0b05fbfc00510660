import accepts from "accepts";
import type { FastifyRequest } from "fastify";
import { DEFAULT_LANGUAGE, type Language } from "../domain/messages.js";

// Norwegian in any of its tags is bokmål here; the first offered wins a tie (and `*`).
const OFFERED = ["nb", "en", "no", "nn"];

/** The language a request asks for in Accept-Language: nb or en, nb when it names neither. */
export function requestLanguage(request: FastifyRequest): Language {
  if (!request.headers["accept-language"]) return DEFAULT_LANGUAGE;
  return accepts(request.raw).languages(OFFERED) === "en" ? "en" : "nb";
}
