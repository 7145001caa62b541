import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { createAmazonSellerCentralConnector } from '../../connectors/amazon-seller-central/connector';
import { ConnectorError } from '../../connectors/connector-error';
import { checkCredentialHost, credentialHostIssues, credentialHostRule } from '../../connectors/credential-hosts';
import { createDatabricksConnector } from '../../connectors/databricks/connector';
import { createJsonHttpClient } from '../../connectors/http-client';
import { type AddressLookup, createPlatformNetwork, type PlatformNetwork } from '../../connectors/platform-network';
import { createSalesforceConnector } from '../../connectors/salesforce/connector';
import { createWooCommerceConnector } from '../../connectors/woocommerce/connector';
import { LIVE_CONNECTORS } from '../../connectors/live-connectors';
import { classifyAddress } from '../../security/public-address';

/** A resolver that answers every name with `addresses`: real DNS stays out of the tests. */
const resolvesTo =
  (...addresses: string[]): AddressLookup =>
  (_hostname, callback) =>
    callback(
      null,
      addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
    );

const STRICT = createPlatformNetwork({ lookup: resolvesTo('127.0.0.1') });
const DEV = createPlatformNetwork({ allowLoopback: true });

async function failureOf(work: Promise<unknown>): Promise<ConnectorError> {
  const err = await work.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof ConnectorError)) throw new Error(`expected a ConnectorError, got ${String(err)}`);
  return err;
}

describe('address classification', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.8.9.10', 'loopback'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['10.1.2.3', 'internal'],
    ['172.16.5.4', 'internal'],
    ['192.168.1.1', 'internal'],
    ['169.254.169.254', 'internal'],
    ['100.64.0.1', 'internal'],
    ['100.100.100.200', 'internal'],
    ['168.63.129.16', 'internal'],
    ['0.0.0.0', 'internal'],
    ['224.0.0.1', 'internal'],
    ['fd00:ec2::254', 'internal'],
    ['fe80::1', 'internal'],
    ['::ffff:10.0.0.1', 'internal'],
    ['::ffff:169.254.169.254', 'internal'],
    ['64:ff9b::a00:1', 'internal'],
    ['2002:a00:1::1', 'internal'],
    ['::a00:1', 'internal'],
    ['[fd00::1]', 'internal'],
    ['not-an-address', 'internal'],
    ['8.8.8.8', 'public'],
    ['52.1.2.3', 'public'],
    ['2606:4700:4700::1111', 'public'],
  ])('%s is %s', (address, expected) => {
    expect(classifyAddress(address)).toBe(expected);
  });
});

describe('credential hosts', () => {
  const allowed = (platform: Parameters<typeof credentialHostRule>[0], field: string, value: string, allowLoopback = false) =>
    checkCredentialHost(credentialHostRule(platform, field), value, allowLoopback).ok;

  it("accept the platforms' documented hosts over https", () => {
    for (const url of [
      'https://acme.my.salesforce.com',
      'https://acme--uat.sandbox.my.salesforce.com',
      'https://na1.salesforce.com',
      'https://acme.lightning.force.com',
    ]) {
      expect(allowed('salesforce', 'instance_url', url)).toBe(true);
    }
    for (const url of ['https://www.zohoapis.com', 'https://www.zohoapis.eu', 'https://www.zohoapis.com.au', 'https://sandbox.zohoapis.in'])
      expect(allowed('zoho_crm', 'api_domain', url)).toBe(true);
    for (const host of [
      'dbc-1234abcd-5678.cloud.databricks.com',
      'https://adb-1234567890123456.7.azuredatabricks.net',
      'https://1234567890123456.7.gcp.databricks.com',
    ]) {
      expect(allowed('databricks', 'host', host)).toBe(true);
    }
    for (const url of ['https://api.amazon.com/auth/o2/token', 'https://api.amazon.co.uk/auth/o2/token', 'https://api.amazon.co.jp/auth/o2/token'])
      expect(allowed('amazon_seller_central', 'lwa_token_url', url)).toBe(true);
    for (const url of ['https://shop.example.com', 'https://example.com/shop', 'https://8.8.8.8']) expect(allowed('woocommerce', 'store_url', url)).toBe(true);
  });

  it('refuse loopback, internal and metadata addresses, internal names, plain http and hosts off the documented patterns', () => {
    for (const url of [
      'http://127.0.0.1:8080',
      'https://127.0.0.1',
      'https://localhost',
      'https://10.0.0.5',
      'https://169.254.169.254',
      'https://[fd00:ec2::254]',
      'https://[::ffff:10.0.0.1]',
      'http://acme.my.salesforce.com',
      'https://acme.my.salesforce.com.evil.example',
      'https://evilmy.salesforce.com.example',
      'https://user:pass@acme.my.salesforce.com',
      'file:///etc/passwd',
    ]) {
      expect([url, allowed('salesforce', 'instance_url', url)]).toEqual([url, false]);
    }
    for (const url of ['https://zohoapis.com.evil.example', 'https://www.zohoapis.com:8443@10.0.0.1', 'https://www.zohoapis.example'])
      expect(allowed('zoho_crm', 'api_domain', url)).toBe(false);
    for (const host of ['169.254.169.254', 'workspace.example.com', 'http://dbc-1.cloud.databricks.com'])
      expect(allowed('databricks', 'host', host)).toBe(false);
    expect(allowed('amazon_seller_central', 'lwa_token_url', 'https://api.amazon.example/auth/o2/token')).toBe(false);
    for (const url of [
      'https://10.1.2.3/',
      'https://192.168.0.10',
      'https://intranet',
      'https://shop.internal',
      'https://printer.local',
      'http://shop.example.com',
      'https://a.localhost',
    ]) {
      expect([url, allowed('woocommerce', 'store_url', url)]).toEqual([url, false]);
    }
  });

  it('accept loopback, over http too, only under the development setting; never private addresses', () => {
    for (const url of ['http://127.0.0.1:9100', 'http://localhost:9100', 'http://[::1]:9100']) {
      expect(allowed('salesforce', 'instance_url', url, true)).toBe(true);
      expect(allowed('salesforce', 'instance_url', url, false)).toBe(false);
    }
    expect(allowed('woocommerce', 'store_url', 'https://10.0.0.5', true)).toBe(false);
    expect(allowed('databricks', 'host', '169.254.169.254', true)).toBe(false);
  });

  it('name each refused field', () => {
    expect(credentialHostIssues('salesforce', { access_token: 'x', instance_url: 'https://127.0.0.1' }, false)).toEqual([
      { field: 'instance_url', message: expect.stringContaining('*.my.salesforce.com') },
    ]);
    expect(credentialHostIssues('salesforce', { access_token: 'x' }, false)).toEqual([]);
    expect(credentialHostIssues('hubspot', { access_token: 'x', instance_url: 'https://127.0.0.1' }, false)).toEqual([]);
  });
});

describe('connecting to platform hosts', () => {
  let server: Server;
  let port: number;
  let closedPort: number;

  beforeAll(async () => {
    server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
    await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
    port = (server.address() as AddressInfo).port;
    // A port nothing listens on: bound once, then released.
    const probe = createServer();
    await new Promise<void>((ready) => probe.listen(0, '127.0.0.1', ready));
    closedPort = (probe.address() as AddressInfo).port;
    await new Promise<void>((done) => probe.close(() => done()));
  });
  afterAll(() => new Promise<void>((done) => server.close(() => done())));

  const send = (baseUrl: string, network: PlatformNetwork) =>
    createJsonHttpClient({ platform: 'Test', baseUrl, secrets: [], classifyError: () => ({}), network, timeoutMs: 5_000 }).send(
      { method: 'GET', path: '/probe' },
      z.object({ ok: z.boolean() }),
    );

  it('reaches loopback under the development setting (the emulators)', async () => {
    await expect(send(`http://127.0.0.1:${port}`, DEV)).resolves.toMatchObject({ body: { ok: true } });
    await expect(send(`http://localhost:${port}`, DEV)).resolves.toMatchObject({ body: { ok: true } });
  });

  it('refuses loopback without it, answering the same whether anything listens there or not', async () => {
    const listening = await failureOf(send(`http://127.0.0.1:${port}`, STRICT));
    const closed = await failureOf(send(`http://127.0.0.1:${closedPort}`, STRICT));
    expect(listening).toMatchObject({ kind: 'auth', message: expect.stringContaining('refused') });
    expect(closed.message).toBe(listening.message);
    expect(closed.details).toEqual(listening.details);
    expect(listening.message).not.toContain(String(port));
  });

  it.each([
    ['loopback', ['127.0.0.1']],
    ['a private address', ['10.0.0.7']],
    ['the metadata service', ['169.254.169.254']],
    ['IPv6 unique-local metadata', ['fd00:ec2::254']],
    ['a public and an internal address', ['52.1.2.3', '10.0.0.7']],
  ])('refuses a public-looking name that resolves to %s, at connect time', async (_what, addresses) => {
    const network = createPlatformNetwork({ lookup: resolvesTo(...addresses) });
    expect(await failureOf(send(`https://acme.my.salesforce.com:${port}`, network))).toMatchObject({
      kind: 'auth',
      message: expect.stringContaining('refused'),
    });
  });

  it('under the development setting, plain http still reaches loopback only, and private addresses stay refused', async () => {
    // Plain http goes to loopback literals and localhost names, not to a name that happens to resolve there.
    const network = createPlatformNetwork({ allowLoopback: true, lookup: resolvesTo('127.0.0.1') });
    expect(await failureOf(send(`http://acme.my.salesforce.com:${port}`, network))).toMatchObject({
      kind: 'auth',
      message: expect.stringContaining('refused'),
    });
    expect(await failureOf(send(`http://10.0.0.7:${port}`, DEV))).toMatchObject({ kind: 'auth' });
  });

  it('refuses credential hosts at request time in each connector, and at connect time when the name resolves inward', async () => {
    const salesforce = (instanceUrl: string, network: PlatformNetwork) =>
      createSalesforceConnector({
        baseUrl: 'https://login.salesforce.com',
        credentials: { access_token: 'tok-1234', instance_url: instanceUrl },
        accountId: 'x',
        timeoutMs: 5_000,
        network,
      }).testConnection();
    expect(await failureOf(salesforce(`http://127.0.0.1:${port}`, STRICT))).toMatchObject({ kind: 'auth', message: expect.stringContaining('instance_url') });
    expect(await failureOf(salesforce(`https://acme.my.salesforce.com:${port}`, STRICT))).toMatchObject({
      kind: 'auth',
      message: expect.stringContaining('refused'),
    });

    const databricks = createDatabricksConnector({
      baseUrl: 'https://accounts.cloud.databricks.com',
      credentials: { host: '169.254.169.254', token: 'dapi-1234', warehouse_id: 'w1' },
      accountId: 'v',
      network: STRICT,
    });
    expect(await failureOf(databricks.testConnection())).toMatchObject({ kind: 'auth', message: expect.stringContaining('host') });

    const woo = createWooCommerceConnector({
      baseUrl: LIVE_CONNECTORS.woocommerce!.defaultBaseUrl,
      credentials: { store_url: 'https://10.0.0.5/shop', consumer_key: 'ck_1234', consumer_secret: 'cs_1234' },
      accountId: 'w',
      network: STRICT,
    });
    expect(await failureOf(woo.testConnection())).toMatchObject({ kind: 'auth', message: expect.stringContaining('store_url') });
    const wooByName = createWooCommerceConnector({
      baseUrl: LIVE_CONNECTORS.woocommerce!.defaultBaseUrl,
      credentials: { store_url: `https://shop.example.com:${port}`, consumer_key: 'ck_1234', consumer_secret: 'cs_1234' },
      accountId: 'w',
      network: createPlatformNetwork({ lookup: resolvesTo('192.168.1.20') }),
    });
    expect(await failureOf(wooByName.testConnection())).toMatchObject({ kind: 'auth', message: expect.stringContaining('refused') });

    const amazon = createAmazonSellerCentralConnector({
      baseUrl: 'https://sellingpartnerapi-na.amazon.com',
      credentials: {
        refresh_token: 'Atzr|1234',
        client_id: 'amzn1.app',
        client_secret: 'secret-1234',
        lwa_token_url: `http://127.0.0.1:${port}/auth/o2/token`,
      },
      accountId: 'ATVPDKIKX0DER',
      network: STRICT,
    });
    expect(await failureOf(amazon.testConnection())).toMatchObject({ kind: 'auth', message: expect.stringContaining('lwa_token_url') });
  });

  it('refuses the operator-configured base URL on loopback too without the development setting', async () => {
    const google = LIVE_CONNECTORS.google_ads!.create({
      baseUrl: `http://127.0.0.1:${port}`,
      credentials: { access_token: 'ya29-1234', developer_token: 'dev-1234' },
      accountId: '123-456-7890',
      network: STRICT,
    });
    expect(await failureOf(google.testConnection())).toMatchObject({ kind: 'auth', message: expect.stringContaining('refused') });
  });
});
