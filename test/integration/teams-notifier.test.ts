import { readFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { TLS_CERT_FILE, SimulatedTenant } from '../../local/simulated-tenant';
import { cardFor } from '../../shared/app/notifications/notification-cards';
import { notifierFromSetting, TeamsWorkflowNotifier } from '../../shared/adapters/teams/teams-workflow-notifier';
import { NotificationRefused } from '../../shared/ports/notifier';
import { TransientError } from '../../shared/ports/provisioners';

// The Teams adapter against the simulated tenant's Workflows webhook (local/simulated-tenant/teams-workflow.ts).

let tenant: SimulatedTenant;
let agent: Agent;
let notifier: TeamsWorkflowNotifier;

const item = {
  onboardingId: 'E1.1',
  employeeId: 'E1',
  department: 'DSI',
  priority: 'standard' as const,
  startDate: '2026-12-07',
  createdAt: '2026-11-29T10:00:00.000Z',
};
const card = cardFor(
  { kind: 'reminder', onboardingId: 'E1.1' },
  { consoleUrl: 'https://x.example/', onboarding: item },
);

beforeAll(async () => {
  tenant = new SimulatedTenant();
  await tenant.start();
  agent = new Agent({ ca: readFileSync(TLS_CERT_FILE) });
  notifier = new TeamsWorkflowNotifier(tenant.teamsWebhookUrl, { agent });
});
afterAll(async () => {
  agent.destroy();
  await tenant.stop();
});

describe('TeamsWorkflowNotifier', () => {
  it('when a card is posted, then the webhook takes it (202) and the channel shows it', async () => {
    await notifier.post(card);
    expect(tenant.teamsCards.at(-1)).toMatchObject({ posted: true, message: card });
  });

  it('when the webhook throttles, then a TransientError with its Retry-After; a 503 too', async () => {
    tenant.teams.failNext(1, 429, 7);
    await expect(notifier.post(card)).rejects.toEqual(
      expect.objectContaining({ name: 'TransientError', retryAfterSeconds: 7 }),
    );
    tenant.teams.failNext(1, 503);
    await expect(notifier.post(card)).rejects.toBeInstanceOf(TransientError);
  });

  it('when the signature is wrong, then refused for good (401), and no error says the URL', async () => {
    const url = new URL(tenant.teamsWebhookUrl);
    url.searchParams.set('sig', 'forged');
    const forged = new TeamsWorkflowNotifier(url.toString(), { agent });
    const error = await forged.post(card).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotificationRefused);
    expect((error as Error).message).toBe('the Teams webhook answered 401');
    expect(tenant.teams.answeredWith[401]).toBe(1);
  });

  it('when a card is over the 28 KB Teams shows, then it is refused before it is sent (the flow would lose it silently)', async () => {
    const before = tenant.teamsCards.length;
    const huge = cardFor(
      { kind: 'needs-attention', onboardingId: 'E1.1', step: 'vpn', run: 1, reason: 'x'.repeat(30_000) },
      { consoleUrl: 'https://x.example/', onboarding: item },
    );
    await expect(notifier.post(huge)).rejects.toBeInstanceOf(NotificationRefused);
    expect(tenant.teamsCards).toHaveLength(before);
  });

  it('when the webhook cannot be reached, then a TransientError that does not carry the URL', async () => {
    // (A short timeout: the HTTP client keeps its timer running after a refused connection.)
    const gone = new TeamsWorkflowNotifier('https://127.0.0.1:1/workflows/x/triggers/manual/paths/invoke?sig=secret', {
      agent,
      timeoutMs: 500,
    });
    const error = (await gone.post(card).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(TransientError);
    expect(error.message).not.toContain('secret');
  });
});

describe('the webhook setting', () => {
  it.each([
    [undefined, /not set/],
    ['', /not set/],
    [
      '@Microsoft.KeyVault(VaultName=kv;SecretName=teams-webhook-url)',
      /Key Vault reference the platform could not resolve/,
    ],
    [
      'http://prod-01.westeurope.logic.azure.com/workflows/x/triggers/manual/paths/invoke?sig=abc',
      /must be the https URL/,
    ],
    ['https://prod-01.westeurope.logic.azure.com/workflows/x/triggers/manual/paths/invoke', /with its sig/],
    ['not a url', /not a URL/],
  ])('when it is %p, then no notifier, with a reason that does not repeat the value', (value, reason) => {
    const { notifier: none, problem } = notifierFromSetting(value);
    expect(none).toBeNull();
    expect(problem).toMatch(reason);
    if (value) expect(problem).not.toContain(value);
  });

  it('when it is the https URL of a Workflows webhook with its sig, then a notifier', () => {
    const url = 'https://prod-01.westeurope.logic.azure.com/workflows/x/triggers/manual/paths/invoke?sv=1.0&sig=abc';
    expect(notifierFromSetting(url).notifier).toBeInstanceOf(TeamsWorkflowNotifier);
  });
});
