import { objectIdFor } from '../../local/dev-issuer';
import { Roles } from '../../shared/domain/roles';
import { startApiHost, type ApiHost } from '../support/api-host';
import { buildHireJson } from '../support/factories';
import { eventually } from '../support/http-client';

// Four-eyes while the agent's account is not in the directory yet (HR-driven provisioning is late, and Entra
// ID is eventually consistent: "Designing for eventual consistency for Microsoft Entra"): at the decision
// only the upn can be compared, so the check is made again when the account appears, before anything is
// provisioned. The token's `oid` is immutable and is what the account's object id is; `preferred_username`
// is mutable and never an authorization key (Microsoft identity platform, access token claims reference).

interface OnboardingBody {
  id: string;
  status: string;
  decision: { byId?: string } | null;
  steps: Record<string, { status: string }>;
}

let h: ApiHost;
beforeAll(async () => {
  // The account appears two seconds after HR's event: the approval comes before it.
  h = await startApiHost('four-eyes', {
    tenant: { userSyncDelayMs: 2000 },
    env: { ...process.env, Provisioning__retryBaseSeconds: '0.3', Provisioning__retryMaxSeconds: '1' },
  });
});
afterAll(() => h.host.stop());

describe('four-eyes before the account exists', () => {
  it("when the agent approves their own onboarding under another upn before their account appears, then once it appears the approval is void, nothing was provisioned, and another person's approval equips them", async () => {
    const upn = 'fe1.agent@example.org';
    const hire = buildHireJson({ employee: { employeeId: 'FE1', userPrincipalName: upn } });
    const created = await h.hired<OnboardingBody>(hire);
    // The agent's own object id, and a upn that is not theirs.
    const forged = await h.host.token('f.agent@example.org', [Roles.onboardingApprove], { oid: objectIdFor(upn) });
    const approved = await h.api.post<OnboardingBody>(
      `/api/onboardings/${created.id}/decision`,
      { decision: 'approve' },
      forged,
    );
    expect(approved.status).toBe(200);

    const voided = await eventually(
      () => h.api.get<OnboardingBody>(`/api/onboardings/${created.id}`, h.chef),
      (res) => res.body.status === 'awaiting-approval',
      15_000,
    );
    expect(voided.body.decision).toBeNull();
    const history = await h.api.get<{ items: { type: string; actor: string }[] }>(
      `/api/onboardings/${created.id}/history`,
      h.chef,
    );
    expect(history.body.items.map((e) => e.type)).toContain('onboarding.approval-voided');
    const userId = h.host.tenant.snapshot().users.find((u) => u.userPrincipalName === upn)?.id;
    expect(userId).toBe(objectIdFor(upn));
    // What the service did to the account (HR's provisioning created it, not the service).
    const effectsOnAgent = () =>
      h.host.tenant.effects
        .filter((e) => (e.target === userId || e.detail === upn) && e.kind !== 'user-provisioned')
        .map((e) => e.kind);
    expect(effectsOnAgent()).toEqual([]);

    // The same object id is refused now; another approver's decision goes through.
    const again = await h.api.post(`/api/onboardings/${created.id}/decision`, { decision: 'approve' }, forged);
    expect(again.status).toBe(403);
    expect((await h.api.post(`/api/onboardings/${created.id}/decision`, { decision: 'approve' }, h.chef)).status).toBe(
      200,
    );
    const done = await eventually(
      () => h.api.get<OnboardingBody>(`/api/onboardings/${created.id}`, h.chef),
      (res) => res.body.status === 'completed',
      15_000,
    );
    expect(done.body.steps.laptop?.status).toBe('done');
    // (the usage location set before the licence: `user-updated`)
    expect(effectsOnAgent().sort()).toEqual([
      'device-user-assigned',
      'license-assigned',
      'member-added',
      'user-updated',
    ]);
  }, 40_000);
});
