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
        quality: { type: ['integer', 'null'], minimum: 1, maximum: 5 },
        note: { type: ['string', 'null'], maxLength: 280 },
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

  it('writes "X or null" as a type list, and other unions as anyOf', () => {
    expect(toJsonSchema(t.union([t.type({ a: t.number }), t.null]))).toEqual({
      type: ['object', 'null'],
      properties: { a: { type: 'number' } },
      required: ['a'],
      additionalProperties: false,
    });
    expect(toJsonSchema(t.union([t.string, t.number]))).toEqual({ anyOf: [{ type: 'string' }, { type: 'number' }] });
    expect(toJsonSchema(t.union([t.string, t.number, t.null]))).toEqual({ anyOf: [{ type: 'string' }, { type: 'number' }, { type: 'null' }] });
  });
});
