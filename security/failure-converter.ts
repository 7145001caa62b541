import { DefaultFailureConverter } from '@temporalio/common';

/**
 * Failure messages and stack traces move into an encoded payload (and so through the payload
 * codec): without this, every error message, which can quote a platform's answer, sits in
 * Temporal's history in plaintext. Loaded by path (DataConverter.failureConverterPath) because
 * the workflow sandbox needs it too; keep this module free of Node APIs.
 */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
