import pino from 'pino';
import { redactUrlCredentials } from './log-redaction';

/** Field paths that may hold secrets; pino replaces their values before a line is written. */
const REDACT_PATHS = [
  'credentials',
  '*.credentials',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'access_token',
  '*.access_token',
  'refresh_token',
  '*.refresh_token',
  'api_key',
  '*.api_key',
  'token',
  '*.token',
];

export type Logger = pino.Logger;

/** `destination` is stdout unless given (tests read real log lines from a stream). */
export function createLogger(options: { level: string; name: string; destination?: pino.DestinationStream }): Logger {
  return pino(
    {
      name: options.name,
      level: options.level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      // Credentials inside URLs, paths and messages, wherever in the line they are.
      hooks: { streamWrite: redactUrlCredentials },
    },
    options.destination,
  );
}
