import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import { parseKeyring } from '../../security/keyring';
import { createPayloadCodec, ENCRYPTED_ENCODING } from '../../security/payload-codec';

const keys = (...versions: string[]) => versions.map((v) => `${v}:${randomBytes(32).toString('base64')}`).join(',');

describe('payload codec', () => {
  const input = defaultPayloadConverter.toPayload({ connectionId: 'c-1', note: 'visible-only-in-clear' })!;

  it('encrypts payloads and decodes them back, marking them binary/encrypted with the key id', async () => {
    const codec = await createPayloadCodec(parseKeyring(keys('p1'), 'PAYLOAD_CODEC_KEYS'));
    const [encoded] = await codec.encode([input]);
    expect(new TextDecoder().decode(encoded!.metadata!.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(new TextDecoder().decode(encoded!.metadata!['encryption-key-id'])).toBe('p1');
    expect(Buffer.from(encoded!.data!).toString('latin1')).not.toContain('visible-only-in-clear');
    const [decoded] = await codec.decode([encoded!]);
    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual({ connectionId: 'c-1', note: 'visible-only-in-clear' });
  });

  it('reads payloads of an older key still in the keyring, refuses unknown keys and clear payloads', async () => {
    const spec = keys('p1');
    const old = await createPayloadCodec(parseKeyring(spec, 'PAYLOAD_CODEC_KEYS'));
    const [encoded] = await old.encode([input]);
    const rotated = await createPayloadCodec(parseKeyring(`${keys('p2')},${spec}`, 'PAYLOAD_CODEC_KEYS'));
    expect(defaultPayloadConverter.fromPayload((await rotated.decode([encoded!]))[0]!)).toMatchObject({ connectionId: 'c-1' });
    const stranger = await createPayloadCodec(parseKeyring(keys('p1'), 'PAYLOAD_CODEC_KEYS'));
    await expect(stranger.decode([encoded!])).rejects.toThrow();
    await expect(stranger.decode([input])).rejects.toThrow(/Refusing an unencrypted payload \(encoding json\/plain\)/);
  });

  it("passes clear payloads through only when asked to (the Web UI's codec server)", async () => {
    const lenient = await createPayloadCodec(parseKeyring(keys('p1'), 'PAYLOAD_CODEC_KEYS'), { plaintext: 'pass' });
    expect(await lenient.decode([input])).toEqual([input]);
  });
});
