import { ServiceBusClient } from '@azure/service-bus';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createLocalJWKSet } from 'jose';
import { ServiceBusMessageBus } from '../../shared/adapters/servicebus/service-bus-message-bus';
import { systemClock } from '../../shared/ports/clock';
import { Roles } from '../../shared/domain/roles';
import { loadOrCreateSigningKey, issueToken } from '../../local/dev-issuer';
import { startLocalStack, type LocalStack } from '../../local/local-stack';
import { AmqpServiceBusPeer, type ReceivedMessage } from '../support/amqp-peer';
import { buildHireJson, person } from '../support/factories';
import { hrEventSchema } from '../../shared/schemas/hr-events';
import { callHttp, functionsOver } from '../support/functions';

const root = path.resolve(__dirname, '..', '..');
let peer: AmqpServiceBusPeer;
let port: number;
let bus: ServiceBusMessageBus;
let stack: LocalStack;
let token: (roles: string[]) => Promise<string>;

beforeAll(async () => {
  peer = new AmqpServiceBusPeer();
  port = await peer.start();
  bus = new ServiceBusMessageBus(new ServiceBusClient(peer.connectionString(port)));
  const key = await loadOrCreateSigningKey(mkdtempSync(path.join(tmpdir(), 'sb-')));
  stack = await startLocalStack({
    env: {},
    clock: systemClock,
    bus,
    jwks: { keys: createLocalJWKSet({ keys: [key.publicJwk] }) },
    issuer: 'https://issuer.test/v2.0',
    audience: 'api://test',
    laptopStock: 1,
  });
  token = (roles) =>
    issueToken(key, { user: 'sirh@example.org', roles, issuer: 'https://issuer.test/v2.0', audience: 'api://test' });
}, 30_000);
afterAll(async () => {
  await bus.close();
  await stack.stop();
  await peer.stop();
});

const body = (m: ReceivedMessage): unknown => {
  const b = m.message.body as { content?: Buffer } | Buffer | undefined;
  const bytes = Buffer.isBuffer(b) ? b : b?.content;
  return bytes ? (JSON.parse(bytes.toString('utf8')) as unknown) : b;
};

async function arrived(predicate: (m: ReceivedMessage) => boolean): Promise<ReceivedMessage> {
  for (let i = 0; i < 200; i++) {
    const found = peer.received.find(predicate);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('no such message arrived at the AMQP peer');
}

describe('the Service Bus sender adapter, on the wire (AMQP 1.0 against a rhea peer)', () => {
  it('when readiness probes a queue, then the sender link opens with the send claim; without it the probe fails, and nothing is sent either way', async () => {
    const before = peer.received.length;
    await expect(bus.probe('hr-events', AbortSignal.timeout(10_000))).resolves.toBeUndefined();
    peer.sendRefusedFor.add('refused-queue');
    await expect(bus.probe('refused-queue', AbortSignal.timeout(2000))).rejects.toThrow();
    expect(peer.received.length).toBe(before);
  });

  it("when an HR event is posted, then hr-events gets messageId = eventId, the subject, JSON, and the caller's traceparent", async () => {
    const json = buildHireJson();
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const res = await callHttp(functionsOver(stack.services).http('hr-events-http'), {
      token: await token([Roles.hrEventsSend]),
      body: JSON.stringify(json),
      headers: { traceparent },
    });
    expect(res.status).toBe(202);
    const m = await arrived((r) => r.message.message_id === json.eventId);
    expect(m.queue).toBe('hr-events');
    expect(m.message).toMatchObject({
      subject: 'employee.hired',
      content_type: 'application/json',
      application_properties: { traceparent },
    });
    expect(body(m)).toMatchObject({ eventId: json.eventId, type: 'employee.hired' });
  });

  it("when an approval is stored, then each step command arrives on provisioning with its deterministic id and the onboarding's traceparent", async () => {
    const hire = buildHireJson({ needs: { laptop: false, officeLicense: false } });
    const employeeId = (hire.employee as { employeeId: string }).employeeId;
    await stack.services.intake.handle(hrEventSchema.parse(hire), {
      traceparent: '00-11111111111111111111111111111111-2222222222222222-01',
      looks: 0,
    });
    const id = `${employeeId}.1`;
    await stack.services.onboardings.decide(id, { decision: 'approve' }, person('chef@example.org'));
    const m = await arrived((r) => r.message.message_id === `${id}/vpn/run-step/1`);
    expect(m.queue).toBe('provisioning');
    expect(m.message).toMatchObject({
      subject: 'run-step',
      correlation_id: id,
      content_type: 'application/json',
      application_properties: { traceparent: '00-11111111111111111111111111111111-2222222222222222-01' },
    });
    expect(body(m)).toMatchObject({ type: 'run-step', onboardingId: id, step: 'vpn', attempt: 1 });
  });

  it('when a message is scheduled or carries a session, then the peer sees the enqueue time and the session id', async () => {
    const at = new Date(Date.now() + 5 * 60_000);
    await bus.send('provisioning', [
      {
        messageId: 'scheduled-1',
        body: { n: 1 },
        subject: 'run-step',
        scheduledEnqueueTime: at,
        applicationProperties: { traceparent: '00-33333333333333333333333333333333-4444444444444444-01' },
      },
      { messageId: 'session-1', body: { n: 2 }, sessionId: 'pool-default' },
    ]);
    const scheduled = await arrived((r) => r.message.message_id === 'scheduled-1');
    expect(Math.abs(scheduled.scheduledEnqueueTime!.getTime() - at.getTime())).toBeLessThan(1000);
    expect(scheduled.message.application_properties).toMatchObject({
      traceparent: '00-33333333333333333333333333333333-4444444444444444-01',
    });
    const session = await arrived((r) => r.message.message_id === 'session-1');
    expect(session.message.group_id).toBe('pool-default');
  });

  it('when `npm run hr -- send` is given a file, then it validates and sends each event with messageId = eventId', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'hr-')), 'events.json');
    const events = [buildHireJson(), buildHireJson()];
    writeFileSync(file, JSON.stringify(events));
    const { stdout } = await promisify(execFile)(
      path.join(root, 'node_modules', '.bin', 'tsx'),
      ['cli/hr.ts', 'send', file, '--connection-string', peer.connectionString(port)],
      { cwd: root },
    );
    expect(stdout).toContain(`sent employee.hired ${String(events[0]!.eventId)}`);
    for (const e of events) {
      const m = await arrived((r) => r.message.message_id === e.eventId);
      expect(m.queue).toBe('hr-events');
      expect(String(m.message.application_properties?.traceparent)).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    }
    writeFileSync(file, JSON.stringify({ ...buildHireJson(), type: 'employee.promoted' }));
    await expect(
      promisify(execFile)(
        path.join(root, 'node_modules', '.bin', 'tsx'),
        ['cli/hr.ts', 'send', file, '--connection-string', peer.connectionString(port)],
        { cwd: root },
      ),
    ).rejects.toMatchObject({ stderr: expect.stringContaining('type') as unknown });
  }, 30_000);
});
