/**
 * Canonical JSON: object keys sorted (by UTF-16 code units, as RFC 8785 does), no whitespace, and
 * otherwise JSON.stringify's rules (undefined members dropped, toJSON honoured). Two values that
 * JSON round-trips to the same data give the same text, so a hash over it does not depend on the
 * key order a writer happened to use or on how a column stores the JSON.
 */
export const canonicalJson = (value: unknown): string => {
  const text = write(value);
  if (text === undefined) throw new Error('canonicalJson: the value has no JSON form');
  return text;
};

const write = (value: unknown): string | undefined => {
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return write((value as { toJSON: () => unknown }).toJSON());
  }
  if (Array.isArray(value)) return `[${value.map((v) => write(v) ?? 'null').join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const members: string[] = [];
    for (const key of Object.keys(value).sort()) {
      const member = write((value as Record<string, unknown>)[key]);
      if (member !== undefined) members.push(`${JSON.stringify(key)}:${member}`);
    }
    return `{${members.join(',')}}`;
  }
  // undefined for undefined, functions and symbols, as JSON.stringify answers for them.
  const scalar: string | undefined = JSON.stringify(value);
  return scalar;
};
