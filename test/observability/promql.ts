/** Words of PromQL that look like metric names but are not (keywords and modifiers). */
const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'offset', 'and', 'or', 'unless', 'inf', 'nan']);

/**
 * The metric names a PromQL expression selects. Enough PromQL for dashboards: strings, label
 * matchers, ranges and `by (…)` lists are removed first; what remains that is an identifier not
 * followed by `(` (a function or aggregation) and not a keyword is a metric name.
 */
export const metricNamesOf = (expr: string): string[] => {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, ' ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = [...stripped.matchAll(/(?<![\w.])[a-zA-Z_:][\w:]*/g)]
    .filter((m) => !/^\s*\(/.test(stripped.slice(m.index + m[0].length)))
    .map((m) => m[0])
    .filter((n) => !KEYWORDS.has(n.toLowerCase()));
  return [...new Set(names)];
};

/** Every `expr` string anywhere in a (Grafana dashboard) JSON value. */
export const exprsOf = (json: unknown): string[] => {
  if (Array.isArray(json)) return json.flatMap(exprsOf);
  if (typeof json !== 'object' || json === null) return [];
  return Object.entries(json).flatMap(([key, value]) => (key === 'expr' && typeof value === 'string' ? [value] : exprsOf(value)));
};

/**
 * Whether `/metrics` exports a name a query uses: a family of that name, or a histogram/summary
 * family whose series the name is (`_bucket`, `_sum`, `_count`).
 */
export const isExported = (name: string, families: ReadonlyMap<string, string>): boolean => {
  if (families.has(name)) return true;
  const series = /^(.*)_(bucket|sum|count)$/.exec(name);
  if (!series) return false;
  const type = families.get(series[1] ?? '');
  return type === 'histogram' || (type === 'summary' && series[2] !== 'bucket');
};
