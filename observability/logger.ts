import pino from 'pino';

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

export function createLogger(options: { level: string; name: string }): Logger {
  return pino({ name: options.name, level: options.level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } });
}
