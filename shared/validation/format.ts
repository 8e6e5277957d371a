import type * as t from 'io-ts';

/** One problem with one field, addressed by a JSON Pointer (`/quality`, `/items/0/id`). */
export type FieldError = { readonly path: string; readonly message: string };

const isIndexOrKey = (entry: t.ContextEntry, parent: t.ContextEntry | undefined): boolean => {
  // Union and intersection members appear in the context under their index; they are not fields.
  const tag = (parent?.type as { _tag?: string } | undefined)?._tag;
  return tag !== 'UnionType' && tag !== 'IntersectionType' && entry.key !== '';
};

const pointerOf = (context: t.Context): string => {
  const keys: string[] = [];
  context.forEach((entry, i) => {
    if (i > 0 && isIndexOrKey(entry, context[i - 1])) keys.push(entry.key.replace(/~/g, '~0').replace(/\//g, '~1'));
  });
  return keys.length === 0 ? '' : `/${keys.join('/')}`;
};

const expectedName = (context: t.Context): string => context[context.length - 1]?.type.name ?? 'a valid value';

/** Turns io-ts errors into field errors, one per field (the first reason wins). */
export const toFieldErrors = (errors: t.Errors): FieldError[] => {
  const byPath = new Map<string, string>();
  for (const e of errors) {
    const path = pointerOf(e.context);
    if (byPath.has(path)) continue;
    const value = e.value === undefined ? 'missing' : (JSON.stringify(e.value) ?? 'a value that is not JSON').slice(0, 60);
    byPath.set(path, e.message ?? `expected ${expectedName(e.context)}, got ${value}`);
  }
  return [...byPath].map(([path, message]) => ({ path, message }));
};

export const formatDecodeErrors = (errors: t.Errors): string[] => toFieldErrors(errors).map((f) => `${f.path || '/'}: ${f.message}`);
