import { SpanKind } from '@opentelemetry/api';
import type { Histogram } from 'prom-client';
import * as E from 'fp-ts/lib/Either.js';
import { inActiveSpan, traceparentOf } from '../observability/tracing.js';
import type { EventStore, NewEvent } from './port.js';

/**
 * An event store whose appends are timed (`outcome`: ok, conflict or error) and traced: each
 * append is an `event-store append` span, and its trace context is stamped on the events'
 * metadata (unless the writer set one) so the relay and the projectors continue the same trace.
 */
export const observedStore = (store: EventStore, appendDuration?: Histogram<'outcome'>): EventStore => ({
  ...store,
  append: (stream, events, expected) =>
    inActiveSpan('event-store append', { kind: SpanKind.CLIENT, attributes: { 'sleepsocial.stream_id': stream, 'sleepsocial.event_count': events.length } }, async (span) => {
      const traceparent = traceparentOf();
      const stamped: readonly NewEvent[] =
        traceparent === undefined ? events : events.map((e) => (e.metadata.traceparent === undefined ? { ...e, metadata: { ...e.metadata, traceparent } } : e));
      const done = appendDuration?.startTimer();
      try {
        const result = await store.append(stream, stamped, expected);
        done?.({ outcome: E.isRight(result) ? 'ok' : 'conflict' });
        if (E.isRight(result)) span.setAttributes({ 'sleepsocial.position': result.right.position, 'sleepsocial.duplicate': result.right.duplicate });
        else span.setAttribute('sleepsocial.conflict', true);
        return result;
      } catch (error) {
        done?.({ outcome: 'error' });
        throw error;
      }
    }),
});
