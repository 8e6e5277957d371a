import { readFileSync } from 'node:fs';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { decodeConfig, formatConfigErrors } from './index.js';
import { configTable } from './table.js';

describe('configuration', () => {
  it('has working defaults for the local machine', () => {
    const config = decodeConfig({});
    expect(E.isRight(config) && config.right).toMatchObject({ PORT: 3000, KAFKA_BROKERS: ['127.0.0.1:9092'], MYSQL_HOST: '127.0.0.1' });
  });

  it('decodes values from the environment', () => {
    const config = decodeConfig({ PORT: '8080', KAFKA_BROKERS: 'a:9092, b:9093', MYSQL_POOL_SIZE: '4' });
    expect(E.isRight(config) && config.right).toMatchObject({ PORT: 8080, KAFKA_BROKERS: ['a:9092', 'b:9093'], MYSQL_POOL_SIZE: 4 });
  });

  it('names every wrong variable, with its value and what was expected', () => {
    const config = decodeConfig({ PORT: 'eighty', KAFKA_BROKERS: 'localhost', JWT_SECRET: 'short', EVENT_STORE: 'postgres' });
    expect(E.isLeft(config)).toBe(true);
    if (E.isLeft(config)) {
      expect(config.left.map((e) => e.variable)).toEqual(['PORT', 'KAFKA_BROKERS', 'EVENT_STORE', 'JWT_SECRET']);
      const text = formatConfigErrors(config.left);
      expect(text).toContain('PORT="eighty": expected a port number 1–65535');
      expect(text).toContain('JWT_SECRET="short": expected at least 32 characters');
    }
  });

  it('requires a connection string when EventStoreDB is chosen', () => {
    const config = decodeConfig({ EVENT_STORE: 'eventstoredb' });
    expect(E.isLeft(config) && config.left[0]?.variable).toBe('EVENTSTORE_CONNECTION_STRING');
  });

  it('is documented in the README exactly as the settings list says', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(readme, 'regenerate with: npx tsx scripts/config-table.ts').toContain(configTable());
  });
});
