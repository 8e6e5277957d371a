import type { Histogram, Registry } from 'prom-client';

type Series = { readonly labels: Readonly<Record<RequestLabel, string>>; readonly buckets: Float64Array; sum: number; count: number };
type RequestLabel = 'method' | 'route' | 'status_code';

type Value = { readonly labels: Readonly<Record<string, string | number>>; readonly value: number; readonly metricName: string };
/** What a registry reads of a metric (prom-client's own typings name its `type` an enum it does not export). */
type Exposed = { readonly name: string; readonly help: string; readonly type: 'histogram'; readonly aggregator: 'sum'; readonly values: Value[] };

type Config = { readonly name: string; readonly help: string; readonly buckets: readonly number[]; readonly registry: Registry };

/**
 * A Prometheus histogram of request durations by method, route pattern and status code, exposed
 * through a prom-client registry like any of its histograms, and recorded for a fraction of what
 * prom-client's `observe` costs. Every request records one, and `observe` validated the labels,
 * built a string key from them and looked its bucket up by a float-named property: ~1.2 µs of the
 * ~30 µs a leaderboard page costs the query API (4.0% of its samples), against 1.1%, hook
 * included, for this one's nested lookups on interned strings (route patterns, methods) and a
 * small integer.
 */
export class RequestDurations {
  readonly type = 'histogram' as const;
  readonly aggregator = 'sum' as const;
  readonly name: string;
  readonly help: string;
  private readonly bounds: Float64Array;
  private series = new Map<string, Map<string, Map<number, Series>>>();

  constructor({ name, help, buckets, registry }: Config) {
    this.name = name;
    this.help = help;
    this.bounds = Float64Array.from([...buckets].sort((a, b) => a - b));
    // The registry reads a metric's name, help, type, `get` and `reset`, all of which this has.
    registry.registerMetric(this as unknown as Histogram);
  }

  record(method: string, route: string, statusCode: number, seconds: number): void {
    let methods = this.series.get(route);
    if (!methods) this.series.set(route, (methods = new Map<string, Map<number, Series>>()));
    let codes = methods.get(method);
    if (!codes) methods.set(method, (codes = new Map<number, Series>()));
    let series = codes.get(statusCode);
    if (!series) {
      series = { labels: { method, route, status_code: String(statusCode) }, buckets: new Float64Array(this.bounds.length), sum: 0, count: 0 };
      codes.set(statusCode, series);
    }
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && seconds > (bounds[i] ?? Infinity)) i++;
    // Past the last bound only +Inf (the count) holds it.
    if (i < bounds.length) series.buckets[i] = (series.buckets[i] ?? 0) + 1;
    series.sum += seconds;
    series.count += 1;
  }

  /** The exposition prom-client's histograms give: cumulative `_bucket`s up to +Inf, `_sum`, `_count`. */
  get(): Promise<Exposed> {
    const values: Value[] = [];
    for (const methods of this.series.values())
      for (const codes of methods.values())
        for (const { labels, buckets, sum, count } of codes.values()) {
          let cumulative = 0;
          this.bounds.forEach((le, i) => {
            cumulative += buckets[i] ?? 0;
            values.push({ labels: { le, ...labels }, value: cumulative, metricName: `${this.name}_bucket` });
          });
          values.push({ labels: { le: '+Inf', ...labels }, value: count, metricName: `${this.name}_bucket` });
          values.push({ labels, value: sum, metricName: `${this.name}_sum` });
          values.push({ labels, value: count, metricName: `${this.name}_count` });
        }
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values });
  }

  reset(): void {
    this.series = new Map();
  }
}
