import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanUp, testConfig } from '../shared/testing/environment.js';
import { prepare } from '../launcher/infrastructure.js';
import { ROLES } from '../launcher/roles.js';
import { buildSystem, type System } from '../launcher/system.js';

const config = testConfig('openapi');
let system: System;
beforeAll(async () => {
  await prepare(config, () => undefined);
  system = buildSystem(config, ROLES);
});
afterAll(async () => {
  await system?.stop();
  await cleanUp(config);
});

type OpenApi = { openapi: string; paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: unknown }> }; security?: unknown[] }>> };

describe('OpenAPI at /docs', () => {
  it('serves a document generated from the routes and their codecs', async () => {
    const res = await system.app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json<OpenApi>();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/users', '/v1/sessions', '/v1/sleep-logs', '/v1/leaderboards/global']));
    const logSleep = doc.paths['/v1/sleep-logs']?.post;
    expect(logSleep?.security).toEqual([{ bearer: [] }]);
    expect(logSleep?.requestBody?.content['application/json']?.schema).toMatchObject({
      type: 'object',
      required: ['startedAt', 'endedAt'],
      additionalProperties: false,
    });
  });

  it('serves the browsable UI', async () => {
    const res = await system.app.inject({ method: 'GET', url: '/docs/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
  });
});
