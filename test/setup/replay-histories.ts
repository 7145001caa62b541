import { join } from 'node:path';

/**
 * TEST-ONLY payload codec key of the recorded replay histories (test/fixtures/histories). Not a
 * secret: it protects nothing but fixtures of synthetic test data, and is committed so that the
 * replay test can decode what the recorder encoded. Never use it outside tests.
 */
export const TEST_ONLY_REPLAY_PAYLOAD_CODEC_KEYS = 'replay-test-only:oQeRUV8uFbc0mxtgRTc3PNo/Zyz+EDTKAOGduGfC8Pg=';

/** Where the recorder writes one history per long-running workflow, and the replay test reads them. */
export const REPLAY_HISTORIES_DIR = join(__dirname, '..', 'fixtures', 'histories');

/** The long-running workflows whose recorded histories must keep replaying; one fixture file each. */
export const REPLAYED_WORKFLOWS = ['connectionSyncWorkflow', 'tokenRefreshWorkflow', 'rolloutWorkflow', 'keyRotationWorkflow', 'bulkSyncWorkflow'] as const;
export type ReplayedWorkflow = (typeof REPLAYED_WORKFLOWS)[number];

export const replayHistoryPath = (workflow: ReplayedWorkflow) => join(REPLAY_HISTORIES_DIR, `${workflow}.json`);
