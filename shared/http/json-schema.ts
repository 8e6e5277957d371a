import type * as t from 'io-ts';

export type JsonSchema = { readonly [key: string]: unknown };

type Codec = t.Mixed & { readonly _tag?: string };
type Inner = { _tag?: string; name: string; type?: Codec; types?: Codec[]; props?: Record<string, Codec>; value?: unknown; keys?: Record<string, unknown> };

const uuid = { type: 'string', format: 'uuid' };

/**
 * What a named refinement or custom codec means on the wire. The names are the codecs' own, so
 * a new branded value that lacks an entry here still documents as its base type.
 */
const named: Record<string, JsonSchema> = {
  UserId: uuid,
  LogId: uuid,
  EventId: uuid,
  UtcInstant: { type: 'string', format: 'date-time' },
  IsoDateTimeWithOffset: { type: 'string', format: 'date-time', description: 'ISO 8601 with an offset, e.g. 2026-11-20T23:15:00+01:00' },
  CalendarDate: { type: 'string', format: 'date' },
  TimeZone: { type: 'string', description: 'IANA time zone, e.g. Europe/Berlin', example: 'Europe/Berlin' },
  Handle: { type: 'string', pattern: '^[A-Za-z0-9_]{3,30}$', description: 'compared lower-case' },
  DisplayName: { type: 'string', minLength: 1, maxLength: 60 },
  Quality: { type: 'integer', minimum: 1, maximum: 5 },
  Note: { type: 'string', maxLength: 280 },
  Password: { type: 'string', minLength: 10, maxLength: 200 },
  Limit: { type: 'integer', minimum: 1, description: 'clamped to the route’s maximum' },
  Cursor: { type: 'string', description: 'opaque; from nextCursor of the previous page' },
};

const objectOf = (props: Record<string, Codec>, required: boolean): JsonSchema => ({
  type: 'object',
  properties: Object.fromEntries(Object.entries(props).map(([k, v]) => [k, toJsonSchema(v)])),
  ...(required ? { required: Object.keys(props) } : {}),
  additionalProperties: false,
});

const merge = (parts: JsonSchema[]): JsonSchema => {
  if (!parts.every((p) => p.type === 'object')) return { allOf: parts };
  return {
    type: 'object',
    properties: Object.assign({}, ...parts.map((p) => p.properties as object)) as object,
    required: parts.flatMap((p) => (p.required as string[] | undefined) ?? []),
    additionalProperties: false,
  };
};

/**
 * `X | null` as a type list (`type: ['string', 'null']`) rather than `anyOf`: the same meaning, and
 * a compiled serializer handles it without trying each branch.
 */
const unionOf = (parts: JsonSchema[]): JsonSchema => {
  const others = parts.filter((p) => !(p.type === 'null' && Object.keys(p).length === 1));
  const only = others[0];
  if (others.length === 1 && parts.length === 2 && only && typeof only.type === 'string') return { ...only, type: [only.type, 'null'] };
  return { anyOf: parts };
};

/** JSON Schema (OpenAPI 3.1 dialect) of an io-ts codec: the docs derive from the codecs, never by hand. */
export const toJsonSchema = (codec: Codec): JsonSchema => {
  const c = codec as unknown as Inner;
  const known = named[c.name];
  if (known) return known;
  switch (c._tag ?? '') {
    case 'StringType':
      return { type: 'string' };
    case 'NumberType':
      return { type: 'number' };
    case 'BooleanType':
      return { type: 'boolean' };
    case 'NullType':
      return { type: 'null' };
    case 'UnknownType':
      return {};
    case 'LiteralType':
      return { const: c.value };
    case 'KeyofType':
      return { type: 'string', enum: Object.keys(c.keys ?? {}) };
    case 'InterfaceType':
    case 'StrictType':
      return objectOf(c.props ?? {}, true);
    case 'PartialType':
      return objectOf(c.props ?? {}, false);
    case 'ExactType':
    case 'RefinementType':
    case 'ReadonlyType':
      return c.type ? toJsonSchema(c.type) : {};
    case 'ArrayType':
    case 'ReadonlyArrayType':
      return { type: 'array', items: c.type ? toJsonSchema(c.type) : {} };
    case 'IntersectionType':
      return merge((c.types ?? []).map(toJsonSchema));
    case 'UnionType':
      return unionOf((c.types ?? []).map(toJsonSchema));
    default:
      return { description: c.name };
  }
};
