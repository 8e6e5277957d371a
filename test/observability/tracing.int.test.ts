import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../shared/testing/environment.js';
import { logSleep, register, startSystem, type Running } from './support.js';

// The SDK registered as a process entry point would (with OTEL_EXPORTER_OTLP_ENDPOINT), but
// exporting into memory; then one sleep log crosses the real pipeline in this process.
const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
provider.register();
let run: Running;

beforeAll(async () => {
  run = await startSystem('obs_tracing');
});

afterAll(async () => {
  await run?.stop();
  await provider.shutdown();
});

const spanId = (s: ReadableSpan) => s.spanContext().spanId;
const traceId = (s: ReadableSpan) => s.spanContext().traceId;
const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId;

describe('one trace from the HTTP request to every projector', () => {
  it('spans HTTP → command → append → relay publish → project, under one trace id', async () => {
    const { token } = await register(run.system.app, 'traced_ada');
    const res = await logSleep(run.system.app, token, { startedAt: '2026-05-01T23:00:00+02:00', endedAt: '2026-05-02T07:00:00+02:00' });
    expect(res.statusCode).toBe(201);

    const http = exporter.getFinishedSpans().find((s) => s.name === 'POST /v1/sleep-logs');
    if (!http) throw new Error('no HTTP span');
    const inTrace = () => exporter.getFinishedSpans().filter((s) => traceId(s) === traceId(http));
    const spans = await eventually(() => {
      const all = inTrace();
      return Promise.resolve(['leaderboards', 'feeds', 'tables'].every((p) => all.some((s) => s.name === `project ${p}`)) ? all : undefined);
    });

    const one = (name: string) => {
      const found = spans.filter((s) => s.name === name);
      expect(found.map((s) => s.name), name).toEqual([name]);
      return found[0] as ReadableSpan;
    };
    const command = one('command LogSleep');
    const append = one('event-store append');
    const publish = one(`publish ${run.config.KAFKA_TOPIC_PREFIX}user-events`);
    expect(http.kind).toBe(SpanKind.SERVER);
    expect(http.attributes['http.route']).toBe('/v1/sleep-logs');
    expect(http.attributes['http.response.status_code']).toBe(201);
    expect(parentOf(command)).toBe(spanId(http));
    expect(parentOf(append)).toBe(spanId(command));
    // Across the store and Kafka the event's metadata and headers carry the append's context.
    expect(parentOf(publish)).toBe(spanId(append));
    expect(publish.kind).toBe(SpanKind.PRODUCER);
    for (const projection of ['leaderboards', 'feeds', 'tables']) {
      const project = one(`project ${projection}`);
      expect(parentOf(project), projection).toBe(spanId(append));
      expect(project.kind).toBe(SpanKind.CONSUMER);
    }
  });

  it('continues a trace the caller started (W3C traceparent)', async () => {
    const { token } = await register(run.system.app, 'traced_bob');
    const callerTrace = '4bf92f3577b34da6a3ce929d0e0e4736';
    const res = await logSleep(
      run.system.app,
      token,
      { startedAt: '2026-05-03T23:00:00+02:00', endedAt: '2026-05-04T07:00:00+02:00' },
      { traceparent: `00-${callerTrace}-00f067aa0ba902b7-01` },
    );
    expect(res.statusCode).toBe(201);
    const spans = await eventually(() => {
      const all = exporter.getFinishedSpans().filter((s) => traceId(s) === callerTrace);
      return Promise.resolve(all.some((s) => s.name === 'project tables') ? all : undefined);
    });
    expect(spans.find((s) => s.name === 'POST /v1/sleep-logs')?.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
  });
});
