import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

/**
 * Serves GET /metrics: the process's prom-client registry, followed by any extra exposition
 * (the worker appends the Temporal SDK exporter's text so one scrape target covers both).
 */
export async function startMetricsServer(options: {
  registry: Registry;
  port: number;
  hostname?: string;
  extra?: () => Promise<string>;
}): Promise<MetricsServer> {
  const app = new Hono();
  app.get('/metrics', async (c) => {
    const own = await options.registry.metrics();
    const extra = options.extra ? await options.extra().catch(() => '') : '';
    return c.text(`${own}\n${extra}`, 200, { 'content-type': options.registry.contentType });
  });
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port: options.port, hostname: options.hostname ?? '0.0.0.0' }, (info: AddressInfo) => {
      resolve({ port: info.port, close: () => new Promise<void>((done) => server.close(() => done())) });
    });
  });
}
