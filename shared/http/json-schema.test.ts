import * as t from 'io-ts';
import { describe, expect, it } from 'vitest';
import { SleepLogBody, UpdateProfileBody } from '../commands/index.js';
import { toJsonSchema } from './json-schema.js';

describe('JSON Schema from io-ts codecs', () => {
  it('documents a command body with required and optional fields, and no extra properties', () => {
    const dateTime = { type: 'string', format: 'date-time', description: 'ISO 8601 with an offset, e.g. 2026-11-20T23:15:00+01:00' };
    expect(toJsonSchema(SleepLogBody)).toEqual({
      type: 'object',
      properties: {
        startedAt: dateTime,
        endedAt: dateTime,
        quality: { anyOf: [{ type: 'integer', minimum: 1, maximum: 5 }, { type: 'null' }] },
        note: { anyOf: [{ type: 'string', maxLength: 280 }, { type: 'null' }] },
      },
      required: ['startedAt', 'endedAt'],
      additionalProperties: false,
    });
  });

  it('maps literals, enums, arrays and unknown names', () => {
    expect(toJsonSchema(t.literal('x'))).toEqual({ const: 'x' });
    expect(toJsonSchema(t.keyof({ day: null, week: null }))).toEqual({ type: 'string', enum: ['day', 'week'] });
    expect(toJsonSchema(t.array(t.number))).toEqual({ type: 'array', items: { type: 'number' } });
    expect(toJsonSchema(UpdateProfileBody)).toMatchObject({ type: 'object', required: [] });
  });
});
