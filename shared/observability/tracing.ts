import { context, INVALID_SPAN_CONTEXT, ProxyTracerProvider, ROOT_CONTEXT, SpanStatusCode, trace, type Attributes, type Context, type Span, type SpanKind, type Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

/**
 * Trace context for every hop, on the OpenTelemetry API only. The API is a no-op until a process
 * entry point (or a test) registers an SDK provider, so the code below costs next to nothing when
 * tracing is off. The context crosses process boundaries as a W3C `traceparent`: in the HTTP
 * request, in the event's metadata and in the Kafka message headers.
 */
export const tracer = (): Tracer => trace.getTracer('sleepsocial');

// What the global provider delegates to while no SDK is registered (the API's no-op singleton).
const NO_SDK = new ProxyTracerProvider().getDelegate();

/**
 * Whether an SDK is registered. While none is, the hot paths skip building spans, attributes and
 * contexts that a no-op tracer would throw away (a few allocations per request and per event).
 */
export const tracingOn = (): boolean => {
  const provider = trace.getTracerProvider();
  return !(provider instanceof ProxyTracerProvider) || provider.getDelegate() !== NO_SDK;
};

/** The span handed to work while tracing is off: records nothing. */
const NO_SPAN: Span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

const w3c = new W3CTraceContextPropagator();
type Carrier = Record<string, string>;
const setter = { set: (carrier: Carrier, key: string, value: string) => void (carrier[key] = value) };
const getter = { keys: (carrier: Carrier) => Object.keys(carrier), get: (carrier: Carrier, key: string) => carrier[key] };

/** The `traceparent` of the span active in `ctx`, or undefined when there is none (tracing off). */
export const traceparentOf = (ctx: Context = context.active()): string | undefined => {
  const carrier: Carrier = {};
  w3c.inject(ctx, carrier, setter);
  return carrier['traceparent'];
};

/** A context whose remote parent is `traceparent`; the root context when it is absent or malformed. */
export const contextOf = (traceparent: string | undefined): Context =>
  traceparent === undefined ? ROOT_CONTEXT : w3c.extract(ROOT_CONTEXT, { traceparent }, getter);

const failed = (span: Span, error: unknown): void => {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
};

/**
 * Runs `work` once for a batch whose items belong to several traces: one span per distinct trace
 * context (a child of it, so each trace shows this hop), all timing the same work. Items without
 * a context share one root span. `work` receives the first span to annotate.
 */
export const inSpansPerTrace = async <A>(
  name: string,
  parents: readonly (string | undefined)[],
  options: { readonly kind: SpanKind; readonly attributes?: Attributes },
  work: () => Promise<A>,
): Promise<A> => {
  if (!tracingOn()) return work();
  const distinct = [...new Set(parents.map((p) => p ?? ''))];
  const spans = distinct.map((p) => tracer().startSpan(name, options, contextOf(p === '' ? undefined : p)));
  try {
    return await work();
  } catch (error) {
    for (const span of spans) failed(span, error);
    throw error;
  } finally {
    for (const span of spans) span.end();
  }
};

/** Runs `work` in a new active span (children started inside it nest under it); errors mark it failed. */
export const inActiveSpan = <A>(name: string, options: { readonly kind?: SpanKind; readonly attributes?: Attributes }, work: (span: Span) => Promise<A>): Promise<A> =>
  !tracingOn() ? work(NO_SPAN) : tracer().startActiveSpan(name, options, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      failed(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
