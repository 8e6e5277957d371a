import type * as t from 'io-ts';
import * as E from 'fp-ts/lib/Either.js';
import { toFieldErrors, type FieldError } from './format.js';

type AnyCodec = t.Mixed & { _tag?: string };

/** The property names a codec allows at its top level, or undefined when it is not an object. */
const allowedKeys = (codec: AnyCodec): Set<string> | undefined => {
  const c = codec as unknown as { _tag: string; type?: AnyCodec; types?: AnyCodec[]; props?: Record<string, unknown> };
  switch (c._tag) {
    case 'InterfaceType':
    case 'PartialType':
    case 'StrictType':
      return new Set(Object.keys(c.props ?? {}));
    case 'ExactType':
    case 'RefinementType':
    case 'ReadonlyType':
      return c.type ? allowedKeys(c.type) : undefined;
    case 'IntersectionType': {
      const sets = (c.types ?? []).map(allowedKeys);
      if (sets.some((s) => s === undefined)) return undefined;
      return new Set(sets.flatMap((s) => [...(s ?? [])]));
    }
    default:
      return undefined;
  }
};

const childCodec = (codec: AnyCodec, key: string): AnyCodec | undefined => {
  const c = codec as unknown as { _tag: string; type?: AnyCodec; types?: AnyCodec[]; props?: Record<string, AnyCodec> };
  if (c.props && key in c.props) return c.props[key];
  if (c.type) return childCodec(c.type, key);
  for (const member of c.types ?? []) {
    const found = childCodec(member, key);
    if (found) return found;
  }
  return undefined;
};

const unknownProperties = (codec: AnyCodec, value: unknown, path: string): FieldError[] => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
  const c = codec as unknown as { _tag: string; types?: AnyCodec[] };
  if (c._tag === 'UnionType') {
    const member = (c.types ?? []).find((m) => E.isRight(m.decode(value)));
    return member ? unknownProperties(member, value, path) : [];
  }
  const allowed = allowedKeys(codec);
  if (!allowed) return [];
  return Object.entries(value).flatMap(([key, child]) => {
    const childPath = `${path}/${key}`;
    if (!allowed.has(key)) return [{ path: childPath, message: 'unknown property' }];
    const sub = childCodec(codec, key);
    return sub ? unknownProperties(sub, child, childPath) : [];
  });
};

/**
 * Decodes input from outside (HTTP bodies, query strings) and refuses properties the codec does not
 * name, rather than silently stripping them: a misspelt field is a client bug worth reporting.
 */
export const decodeStrict = <A, O>(codec: t.Type<A, O, unknown>, input: unknown): E.Either<FieldError[], A> => {
  const decoded = codec.decode(input);
  if (E.isLeft(decoded)) return E.left(toFieldErrors(decoded.left));
  const extra = unknownProperties(codec, input, '');
  return extra.length > 0 ? E.left(extra) : E.right(decoded.right);
};
