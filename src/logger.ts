import pino, { type Logger } from "pino";

/** JSON logs; tokens, secrets and signatures never reach them. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: "certsvc" },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: [
          "req.headers.authorization",
          'req.headers["x-certsvc-signature"]',
          "headers.authorization",
          "authorization",
          "token",
          "*.token",
          "secret",
          "*.secret",
          "jwtSecret",
          "config.jwtSecret",
          "config.notifyWebhookSecret",
        ],
        censor: "[redacted]",
      },
    },
    destination,
  );
}
