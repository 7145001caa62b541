import type { Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { DateWindow } from '../domain/sync';
import type { Credentials } from './connector';
import type { AccountShape } from './mock/generator';

/** The contract between the emulator host (connectors/emulator.ts) and each platform's emulator (connectors/<platform>/emulator.ts). */

/** A failure an emulator answers in its platform's own shape. */
export type EmulatedFailure = 'auth' | 'rate_limited' | 'server_error';

/** An opaque page token that encodes an offset, bound to a scope (e.g. the query) so it cannot be replayed elsewhere. */
export interface OffsetCursorCodec {
  encode(offset: number, scope?: string): string;
  /** Null when the token is not one of ours or belongs to another scope. */
  decode(token: string, scope?: string): number | null;
}

/** What a platform emulator is given. */
export interface EmulatorContext {
  /** The account as served now: empty while the `empty` fault is set. */
  account(): AccountShape;
  /** The only credentials the emulator accepts. */
  credentials: Credentials;
  /** Google's fixed page size; the cap of Meta's `limit` and Klaviyo's `page[size]`. Platform default when unset. */
  pageSize: number | undefined;
  /** The day contacts' created dates count back from. */
  asOf: string;
  retryAfterSeconds(): number;
  cursor: OffsetCursorCodec;
  /** Status polls a warehouse statement answers "still running" to before its result (the `runningPolls` fault). */
  statementPolls(): number;
  /** The part of a requested range the platform still serves (the `retentionDays` fault); null when none of it. */
  retained(window: DateWindow): DateWindow | null;
}

export interface PlatformEmulator {
  /** The platform's API routes; requests reach them after fault injection. */
  app: Hono;
  /** The platform's documented error response for a failure. */
  failure(c: Context, failure: EmulatedFailure, status: ContentfulStatusCode): Response;
}

export interface PlatformEmulatorDefinition {
  defaultAccountId: string;
  defaultCredentials: Credentials;
  /** Credential fields that aim a connector at the emulator where the platform names another host in them (Amazon's LWA token URL). */
  hostCredentials?(url: string): Credentials;
  create(context: EmulatorContext): PlatformEmulator;
}
