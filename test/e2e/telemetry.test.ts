import { metrics, trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { MeterProvider, MetricReader, type DataPoint, type Histogram } from '@opentelemetry/sdk-metrics';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startLocalHost, type LocalHost } from '../../local/host';
import { Roles } from '../../shared/domain/roles';
import { buildHireJson } from '../support/factories';
import { eventually } from '../support/http-client';

class CollectingReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

const spans = new InMemorySpanExporter();
const reader = new CollectingReader();
let host: LocalHost;

beforeAll(async () => {
  // An SDK stands in for Azure Monitor: the code only speaks the OpenTelemetry API.
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }));
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
  host = await startLocalHost({
    port: 0,
    stateDir: mkdtempSync(path.join(tmpdir(), 'otel-')),
    logHandler: () => undefined,
  });
});
afterAll(async () => {
  await host.stop();
  trace.disable();
  metrics.disable();
});

describe('telemetry', () => {
  it("when an onboarding runs from hire to completed, then its spans form one trace (the caller's), and metrics count statuses and step durations", async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const json = buildHireJson();
    const employeeId = (json.employee as { employeeId: string }).employeeId;
    const headers = (roles: string[], user: string) =>
      host.token(user, roles).then((t) => ({
        authorization: `Bearer ${t}`,
        'content-type': 'application/json',
        traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
      }));
    await fetch(`${host.url}/api/hr-events`, {
      method: 'POST',
      headers: await headers([Roles.hrEventsSend], 'sirh@example.org'),
      body: JSON.stringify(json),
    });
    await host.whenIdle();
    const chef = await headers([Roles.onboardingApprove], 'chef@example.org');
    await fetch(`${host.url}/api/onboardings/${employeeId}.1/decision`, {
      method: 'POST',
      headers: chef,
      body: '{"decision":"approve"}',
    });
    await eventually(
      async () =>
        (
          (await (await fetch(`${host.url}/api/onboardings/${employeeId}.1`, { headers: chef })).json()) as {
            status: string;
          }
        ).status,
      (s) => s === 'completed',
    );

    const finished = spans.getFinishedSpans();
    const names = finished.map((s) => s.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'hr-event employee.hired',
        'resume-step laptop',
        'run-step vpn',
        'run-step officeLicense',
      ]),
    );
    const mine = finished.filter(
      (s) => s.name === 'hr-event employee.hired' || s.attributes['onboarding.id'] === `${employeeId}.1`,
    );
    expect(mine.length).toBeGreaterThanOrEqual(4);
    expect(new Set(mine.map((s) => s.spanContext().traceId))).toEqual(new Set([traceId]));

    const { resourceMetrics } = await reader.collect();
    const all = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics);
    const statuses = all.find((m) => m.descriptor.name === 'onboarding.status.changes');
    const completed = statuses?.dataPoints.find((p) => p.attributes.status === 'completed');
    expect(completed?.value).toBeGreaterThanOrEqual(1);
    const durations = all.find((m) => m.descriptor.name === 'onboarding.step.duration');
    const steps = (durations?.dataPoints as DataPoint<Histogram>[] | undefined)?.map((p) => p.attributes.step).sort();
    expect(steps).toEqual(['laptop', 'officeLicense', 'vpn']);
  });
});
