import { randomBytes } from 'node:crypto';
import { metrics, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, TraceFlags, type Context } from '@opentelemetry/api';
import type { HistoryEntry, Onboarding } from '../schemas/onboarding';
import { describeError, redact } from './redaction';

/**
 * Telemetry through the OpenTelemetry API: a no-op until an SDK is registered (Azure Monitor in Azure,
 * when APPLICATIONINSIGHTS_CONNECTION_STRING is set; an in-memory exporter in tests).
 */
const tracer = trace.getTracer('dsi-onboarding');

/** Created at first use, so that they bind to the meter provider registered at start. */
let instruments:
  | {
      statusChanges: ReturnType<ReturnType<typeof metrics.getMeter>['createCounter']>;
      stepDuration: ReturnType<ReturnType<typeof metrics.getMeter>['createHistogram']>;
    }
  | undefined;

function meterInstruments() {
  if (!instruments) {
    const meter = metrics.getMeter('dsi-onboarding');
    instruments = {
      statusChanges: meter.createCounter('onboarding.status.changes', { description: 'Onboardings entering a status' }),
      stepDuration: meter.createHistogram('onboarding.step.duration', {
        description: 'From a step started to done or failed',
        unit: 's',
      }),
    };
  }
  return instruments;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** A new W3C traceparent: the root of an onboarding's trace. */
export function newTraceparent(): string {
  return `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;
}

export function isTraceparent(value: unknown): value is string {
  return typeof value === 'string' && TRACEPARENT.test(value);
}

/** The current span's traceparent, if a span is active (so messages sent now continue its trace). */
export function activeTraceparent(): string | undefined {
  const span = trace.getActiveSpan();
  const ctx = span?.spanContext();
  if (!ctx || !trace.isSpanContextValid(ctx)) return undefined;
  return `00-${ctx.traceId}-${ctx.spanId}-0${(ctx.traceFlags & TraceFlags.SAMPLED).toString(16)}`;
}

function contextOf(traceparent: string | undefined): Context {
  const m = traceparent ? TRACEPARENT.exec(traceparent) : null;
  if (!m?.[1] || !m[2] || !m[3]) return ROOT_CONTEXT;
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId: m[1],
    spanId: m[2],
    traceFlags: parseInt(m[3], 16),
    isRemote: true,
  });
}

/** Runs `fn` in a consumer span that continues the trace of `traceparent` (one trace per onboarding). */
export function inMessageSpan<T>(
  name: string,
  traceparent: string | undefined,
  attributes: Record<string, string>,
  fn: () => Promise<T>,
): Promise<T> {
  return tracer.startActiveSpan(name, { kind: SpanKind.CONSUMER, attributes }, contextOf(traceparent), async (span) => {
    try {
      return await fn();
    } catch (err) {
      // Redacted: an exception's message may quote an account or a URL (shared/telemetry/redaction.ts).
      span.recordException(
        err instanceof Error ? { name: err.name, message: redact(err.message) } : describeError(err),
      );
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw err;
    } finally {
      span.end();
    }
  });
}

const STATUS_OF_ENTRY: Record<string, Onboarding['status']> = {
  'onboarding.created': 'awaiting-approval',
  'onboarding.approved': 'provisioning',
  'onboarding.rejected': 'rejected',
  'onboarding.completed': 'completed',
  'onboarding.needs-attention': 'needs-attention',
  'onboarding.cancelled': 'cancelled',
  'onboarding.retry-requested': 'provisioning',
};

/** Metrics of one stored change: status entered, and how long each finished step took. */
export function recordChange(state: Onboarding, entries: HistoryEntry[]): void {
  const { statusChanges, stepDuration } = meterInstruments();
  for (const entry of entries) {
    const status = STATUS_OF_ENTRY[entry.type];
    if (status) statusChanges.add(1, { status, priority: state.priority });
    if (entry.type === 'step.done' || entry.type === 'step.failed') {
      const step = String(entry.details.step);
      // From its run's start; a laptop, which waits in line from the approval, from the approval (or retry).
      const started =
        state.history.findLast((h) => h.type === 'step.started' && h.details.step === step) ??
        state.history.findLast((h) => h.type === 'onboarding.approved' || h.type === 'onboarding.retry-requested');
      if (started) {
        // The run's start is in the entry's details (the entry itself is stamped when it was written).
        const from = typeof started.details.startedAt === 'string' ? started.details.startedAt : started.at;
        const seconds = (Date.parse(entry.at) - Date.parse(from)) / 1000;
        stepDuration.record(seconds, { step, outcome: entry.type === 'step.done' ? 'done' : 'failed' });
      }
    }
  }
}
