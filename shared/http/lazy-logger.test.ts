import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { FastifyBaseLogger } from 'fastify';
import { buildHttpApp } from './app.js';
import { lazyChild } from './lazy-logger.js';

const capture = () => {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, stream };
};

const appLoggingAt = async (level: string) => {
  const { lines, stream } = capture();
  const app = buildHttpApp({ readiness: [], logger: { level, stream } });
  app.get('/noisy', (request) => {
    request.log.info('an info line');
    request.log.warn({ token: 'secret' }, 'a warning');
    return { ok: true };
  });
  await app.inject({ method: 'GET', url: '/noisy', headers: { 'x-correlation-id': 'lazy-1' } });
  await app.close();
  return lines;
};

describe('request loggers', () => {
  it('at warn, write the warning with the request’s correlation id (and redaction), and nothing below it', async () => {
    const lines = await appLoggingAt('warn');
    expect(lines.map((l) => l.msg)).toEqual(['a warning']);
    expect(lines[0]).toMatchObject({ correlationId: 'lazy-1', token: '[redacted]' });
  });

  it('at info, write every line of the request with its correlation id', async () => {
    const lines = await appLoggingAt('info');
    expect(lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['incoming request', 'an info line', 'a warning', 'request completed']));
    expect(lines.filter((l) => l.reqId !== undefined).every((l) => l.correlationId === 'lazy-1')).toBe(true);
  });

  it('at silent, write nothing', async () => {
    expect(await appLoggingAt('silent')).toEqual([]);
  });
});

describe('lazyChild', () => {
  it('builds the child only for a line at an enabled level, and only once', () => {
    const written: string[] = [];
    let built = 0;
    const child = { level: 'warn', warn: (msg: string) => written.push(msg), info: (msg: string) => written.push(msg) } as unknown as FastifyBaseLogger;
    const logger = lazyChild({ level: 'warn' } as FastifyBaseLogger, () => (built++, child));
    logger.info('dropped');
    logger.debug('dropped');
    expect(built).toBe(0);
    logger.warn('kept');
    logger.warn('kept too');
    expect({ built, written }).toEqual({ built: 1, written: ['kept', 'kept too'] });
  });
});
