import { trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, describe, expect, it } from 'vitest';
import { inActiveSpan, tracingOn } from './tracing.js';

afterAll(() => trace.disable());

describe('tracingOn', () => {
  it('is off until an SDK is registered, and spans are then recorded', async () => {
    expect(tracingOn()).toBe(false);
    expect(await inActiveSpan('off', {}, (span) => Promise.resolve(span.isRecording()))).toBe(false);

    const exporter = new InMemorySpanExporter();
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
    expect(tracingOn()).toBe(true);
    expect(await inActiveSpan('on', {}, (span) => Promise.resolve(span.isRecording()))).toBe(true);
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(['on']);

    trace.disable();
    expect(tracingOn()).toBe(false);
  });
});
