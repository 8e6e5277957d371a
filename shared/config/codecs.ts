import * as t from 'io-ts';
import { pipe } from 'fp-ts/lib/function.js';
import * as E from 'fp-ts/lib/Either.js';

/** A string that decodes to an integer port (1–65535). */
export const PortFromString = new t.Type<number, string, unknown>(
  'Port',
  (u): u is number => typeof u === 'number' && Number.isInteger(u) && u > 0 && u < 65536,
  (u, c) =>
    pipe(
      t.string.validate(u, c),
      E.chain((s) => {
        const n = Number(s);
        return /^\d+$/.test(s) && n > 0 && n < 65536 ? t.success(n) : t.failure(u, c, 'expected a port number 1–65535');
      }),
    ),
  String,
);

/** A string of decimal digits (no sign, no leading zeros) that decodes to an integer ≥ `min`. */
const intFromString = (name: string, min: 0 | 1, expected: string) =>
  new t.Type<number, string, unknown>(
    name,
    (u): u is number => typeof u === 'number' && Number.isInteger(u) && u >= min,
    (u, c) =>
      pipe(
        t.string.validate(u, c),
        E.chain((s) => (/^(0|[1-9]\d*)$/.test(s) && Number(s) >= min ? t.success(Number(s)) : t.failure(u, c, expected))),
      ),
    String,
  );

/** A string that decodes to a positive integer (counts, sizes, milliseconds). */
export const PositiveIntFromString = intFromString('PositiveInt', 1, 'expected a positive integer');

/** A string that decodes to an integer ≥ 0 (a duration where 0 means "off"). */
export const NonNegativeIntFromString = intFromString('NonNegativeInt', 0, 'expected an integer ≥ 0');

/** Comma-separated `host:port` list, e.g. Kafka brokers. */
export const HostPortListFromString = new t.Type<string[], string, unknown>(
  'HostPortList',
  (u): u is string[] => Array.isArray(u) && u.every((x) => typeof x === 'string'),
  (u, c) =>
    pipe(
      t.string.validate(u, c),
      E.chain((s) => {
        const items = s.split(',').map((x) => x.trim()).filter((x) => x.length > 0);
        return items.length > 0 && items.every((x) => /^[^\s:]+:\d{1,5}$/.test(x))
          ? t.success(items)
          : t.failure(u, c, 'expected a comma-separated list of host:port');
      }),
    ),
  (a) => a.join(','),
);

export const UrlString = new t.Type<string, string, unknown>(
  'Url',
  (u): u is string => typeof u === 'string',
  (u, c) =>
    pipe(
      t.string.validate(u, c),
      E.chain((s) => (URL.canParse(s) ? t.success(s) : t.failure(u, c, 'expected a URL'))),
    ),
  String,
);

/** Empty (the feature is off) or an http(s) URL, e.g. an OpenTelemetry collector's base URL. */
export const OptionalHttpUrl = new t.Type<string, string, unknown>(
  'OptionalHttpUrl',
  (u): u is string => typeof u === 'string',
  (u, c) =>
    pipe(
      t.string.validate(u, c),
      E.chain((s) => (s === '' || (URL.canParse(s) && /^https?:$/.test(new URL(s).protocol)) ? t.success(s) : t.failure(u, c, 'expected empty or an http(s) URL'))),
    ),
  String,
);

export const NonEmptyString = new t.Type<string, string, unknown>(
  'NonEmptyString',
  (u): u is string => typeof u === 'string' && u.length > 0,
  (u, c) => pipe(t.string.validate(u, c), E.chain((s) => (s.length > 0 ? t.success(s) : t.failure(u, c, 'expected a non-empty value')))),
  String,
);

/** A secret must be long enough to sign HS256 tokens safely (RFC 7518 §3.2: ≥ 256 bits). */
export const SecretString = new t.Type<string, string, unknown>(
  'Secret',
  (u): u is string => typeof u === 'string' && u.length >= 32,
  (u, c) => pipe(t.string.validate(u, c), E.chain((s) => (s.length >= 32 ? t.success(s) : t.failure(u, c, 'expected at least 32 characters')))),
  String,
);
