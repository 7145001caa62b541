import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../scripts/service-process';
import { startTemporalDevServer, type TemporalDevServer } from '../../scripts/temporal-dev-server';

describe("the start script's Temporal dev server", () => {
  let server: TemporalDevServer | undefined;
  const dataDir = mkdtempSync(join(tmpdir(), 'liftos-devserver-'));
  afterAll(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("gives the Web UI its codec endpoint without the credential on any process's command line", async () => {
    const credential = randomBytes(32).toString('base64url');
    const endpoint = `http://127.0.0.1:3999/codec/${credential}`;
    const uiPort = await freePort();
    server = await startTemporalDevServer({ cli: process.env.TEMPORAL_CLI ?? 'temporal', dataDir, port: await freePort(), uiPort, uiCodecEndpoint: endpoint });

    // What any user of the machine sees: every process's arguments.
    const { stdout: listing } = await promisify(execFile)('ps', ['-eo', 'args'], { maxBuffer: 16 * 1024 * 1024 });
    expect(listing).toContain(`--ui-port ${uiPort}`);
    expect(listing).not.toContain(credential);

    // The UI serves the endpoint it was configured with (to its own page, on 127.0.0.1 only).
    const settings = (await (await fetch(`${server.uiUrl}/api/v1/settings`)).json()) as { Codec: { Endpoint: string } };
    expect(settings.Codec.Endpoint).toBe(endpoint);
    // The file the CLI read it from is the owner's only.
    expect(statSync(join(dataDir, 'temporal-cli-env.yaml')).mode & 0o077).toBe(0);
  });
});
