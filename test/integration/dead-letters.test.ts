import { ServiceBusClient } from '@azure/service-bus';
import rhea from 'rhea';
import { azureSource, runDlq } from '../../cli/dlq';
import { AmqpServiceBusPeer, type ReceivedMessage } from '../support/amqp-peer';
import { buildHireJson } from '../support/factories';
import { functionsOver, queueContext } from '../support/functions';
import { startTestServices, type TestServices } from '../support/test-services';

// `npm run dlq` against Azure: the real @azure/service-bus client on the wire (a rhea AMQP 1.0 peer that
// keeps dead-letter sub-queues, answers com.microsoft:peek-message and delivers peek-locked messages),
// and the rejected messages in Cosmos DB (the embedded endpoint).

let peer: AmqpServiceBusPeer;
let client: ServiceBusClient;
let t: TestServices;

beforeAll(async () => {
  peer = new AmqpServiceBusPeer();
  const port = await peer.start();
  client = new ServiceBusClient(peer.connectionString(port));
  t = await startTestServices();
}, 30_000);
afterAll(async () => {
  await client.close();
  await t.stop();
  await peer.stop();
});

const text = (m: ReceivedMessage): unknown => {
  const b = m.message.body as { content?: Buffer } | Buffer | undefined;
  const bytes = Buffer.isBuffer(b) ? b : b?.content;
  return bytes ? (JSON.parse(bytes.toString('utf8')) as unknown) : b;
};

describe('npm run dlq, against Azure', () => {
  it('when a function rejected a message and Service Bus dead-lettered another, then both are listed with their reasons and resubmitted once each', async () => {
    // A function sets aside a message that does not parse (on Azure, through the same handler).
    const poison = buildHireJson({ employee: { startDate: '31/12/2026' } });
    await functionsOver(t.services)
      .queue('hr-events-queue')
      .handler(poison, queueContext('hr-events-queue', { messageId: 'poison-azure', subject: 'employee.hired' }));
    // Service Bus dead-lettered a step command after ten failed deliveries.
    const command = { type: 'run-step', onboardingId: 'E1.1', employeeId: 'E1', step: 'vpn', attempt: 1 };
    const sequenceNumber = peer.deadLetter(
      'provisioning',
      {
        message_id: 'E1.1/vpn/run-step/1',
        // As the SDK sends a JSON body: one data section of UTF-8 JSON.
        body: rhea.message.data_section(Buffer.from(JSON.stringify(command))),
        content_type: 'application/json',
      },
      'MaxDeliveryCountExceeded',
      'Message could not be consumed after 10 delivery attempts.',
    );

    const source = azureSource(client, t.cosmos.client, t.services.config.CosmosDb__databaseName);
    const listed: string[] = [];
    expect(await runDlq(source, 'list', { ids: [], json: true }, (l) => listed.push(l))).toBe(0);
    const entries = JSON.parse(listed.join('\n')) as { id: string; reason: string; messageId: string }[];
    const rejected = entries.find((e) => e.messageId === 'poison-azure');
    const dead = entries.find((e) => e.messageId === 'E1.1/vpn/run-step/1');
    expect(rejected).toMatchObject({ reason: 'InvalidHrEvent' });
    expect(dead).toMatchObject({
      reason: 'MaxDeliveryCountExceeded',
      id: `dead-letter:provisioning:${sequenceNumber}`,
    });

    const said: string[] = [];
    const code = await runDlq(source, 'resubmit', { ids: [rejected!.id, dead!.id] }, (l) => said.push(l));
    expect(code).toBe(0);
    expect(said).toEqual([
      `resubmitted ${rejected!.id} as poison-azure/resubmit/1`,
      `resubmitted ${dead!.id} as E1.1/vpn/run-step/1/resubmit/${sequenceNumber}`,
    ]);
    const copies = peer.received.filter((m) => String(m.message.message_id).includes('/resubmit/'));
    expect(copies.map((m) => [m.queue, m.message.message_id])).toEqual([
      ['hr-events', 'poison-azure/resubmit/1'],
      ['provisioning', `E1.1/vpn/run-step/1/resubmit/${sequenceNumber}`],
    ]);
    expect(text(copies[0]!)).toEqual(poison);
    expect(text(copies[1]!)).toEqual(command);
    expect(peer.deadLetters.get('provisioning')).toEqual([]);

    // Both are gone from the list; resubmitting again finds nothing.
    const after: string[] = [];
    await runDlq(source, 'list', { ids: [], json: true }, (l) => after.push(l));
    expect(JSON.parse(after.join('\n'))).toEqual([]);
    expect(await runDlq(source, 'resubmit', { ids: [dead!.id] }, () => undefined)).toBe(1);
  }, 30_000);
});
