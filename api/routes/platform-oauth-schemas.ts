import { z } from 'zod';
import { DATA_MODES } from '../../domain/connection';
import { PLATFORM_IDS } from '../../domain/platforms';
import { ConnectionView, Timestamp } from '../response-schemas';

/** Text that Postgres can store: no NUL characters. */
const Text = z.string().refine((v) => !v.includes('\u0000'), 'must not contain NUL characters');

/** Where the platform sends the user back: a web address of ours (the platform checks it against the app's registration). */
const RedirectUri = z
  .string()
  .max(2000)
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'https:' || url.protocol === 'http:') && !url.hash && !url.username && !url.password;
    } catch {
      return false;
    }
  }, 'must be an absolute http(s) URL without a fragment or credentials');

export const InitiateOAuthBody = z
  .object({
    platform: z.enum(PLATFORM_IDS, { error: `platform must be one of: ${PLATFORM_IDS.join(', ')}` }),
    redirect_uri: RedirectUri,
    account_id: Text.pipe(z.string().trim().min(1).max(200)).optional(),
    display_name: Text.pipe(z.string().trim().min(1).max(200)).optional(),
    data_mode: z.enum(DATA_MODES).optional(),
  })
  .strict();

/**
 * What the platform put on the redirect URI, handed over by the front end: a code, or an OAuth error
 * (`error=access_denied` when the user declined). Platforms add their own parameters (iss, scope,
 * Shopify's hmac and shop): those pass through unread.
 */
export const OAuthCallbackQuery = z
  .object({
    state: z.string().min(1).max(512),
    code: z.string().min(1).max(4096).optional(),
    /** TikTok's name for the code (it sends both). */
    auth_code: z.string().min(1).max(4096).optional(),
    error: z.string().min(1).max(200).optional(),
    error_description: z.string().max(1000).optional(),
  })
  .refine((v) => v.code !== undefined || v.auth_code !== undefined || v.error !== undefined, {
    message: 'code is required (or the error the platform answered)',
    path: ['code'],
  });

/** Where to send the user to authorise, and the single-use state the callback must bring back before `expires_at`. */
export const OAuthInitiatedResponse = z.object({ authorization_url: z.url(), state: z.string(), expires_at: Timestamp });

/**
 * The connection the authorisation created (201) or re-authorised (200), with a test of it and its
 * token refresh workflow (null when its tokens do not expire).
 */
export const OAuthConnectedResponse = z.object({
  connection: ConnectionView,
  created: z.boolean(),
  connection_test: z.object({ ok: z.boolean(), message: z.string(), account_name: z.string().nullable() }),
  token_refresh_workflow_id: z.string().nullable(),
});
