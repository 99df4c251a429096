import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { issueToken, loadOrCreateSigningKey } from '../../local/dev-issuer';
import { readAdminToken } from '../../local/admin';
import { Roles } from '../../shared/http/roles';
import { buildHireJson } from '../support/factories';

// Proof of "acknowledged means kept": the local host runs as `npm start` does, a burst of hires, approvals,
// laptop deliveries and a cancellation goes at it over HTTP, and the whole process group is SIGKILLed at
// random moments (seeded: KILL_SEED=<n> replays a run), then started again, at least 20 times. At the end
// every acknowledged request is reflected, every onboarding is finished, no laptop is given twice or lost,
// and each Microsoft 365 change was made exactly once (the simulated tenant's ledger).

const root = path.resolve(__dirname, '..', '..');
const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
const SEED = Number(process.env.KILL_SEED ?? Math.floor(Math.random() * 1_000_000));
const KILLS = 20;
const HIRES = 30;

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Onboarding {
  id: string;
  status: string;
  userPrincipalName: string;
  decision: { decision: string } | null;
  steps: Record<string, { status: string; serialNumber?: string }>;
}

describe('the local host under kill -9', () => {
  it(`when the host is SIGKILLed at random moments ${KILLS} times during a burst, then nothing acknowledged is lost or doubled`, async () => {
    console.log(`kill-anywhere: seed ${SEED} (KILL_SEED=${SEED} replays this run)`);
    const random = mulberry32(SEED);
    const stateDir = mkdtempSync(path.join(tmpdir(), 'kill-'));
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const env = {
      ...process.env,
      PORT: String(port),
      LOCAL_STATE_DIR: stateDir,
      LOCAL_LAPTOP_STOCK: '0',
      LOCAL_TIMER_SECONDS: '1',
      LOCAL_JOURNAL_COMPACT_BYTES: '131072',
      Sweeper__outboxGraceSeconds: '2',
      Sweeper__reservationGraceSeconds: '3',
      Sweeper__stuckAfterSeconds: '4',
      Provisioning__retryBaseSeconds: '0.2',
      Provisioning__retryMaxSeconds: '2',
    };
    const key = await loadOrCreateSigningKey(stateDir);
    const token = (user: string, roles: string[]) =>
      issueToken(key, {
        user,
        roles,
        issuer: 'https://login.dev.local/onboarding/v2.0',
        audience: 'api://dsi-onboarding',
      });
    const hr = await token('sirh@example.org', [Roles.hrEventsSend]);
    const chef = await token('chef.dsi@example.org', [Roles.onboardingApprove]);
    const stock = await token('logistique@example.org', [Roles.inventoryManage]);

    let child: ChildProcess | null = null;
    let starts = 0;
    const start = async () => {
      child = spawn(tsx, ['local/main.ts'], { cwd: root, env, detached: true, stdio: 'ignore' });
      starts += 1;
      for (let i = 0; i < 600; i++) {
        try {
          if ((await fetch(`${base}/api/health`)).status === 200) return;
        } catch {
          // not listening yet
        }
        await sleep(25);
      }
      throw new Error('the host did not come up');
    };
    const kill = async () => {
      const c = child;
      if (!c?.pid) return;
      const exited = new Promise((r) => c.once('exit', r));
      process.kill(-c.pid, 'SIGKILL');
      await exited;
      child = null;
    };

    /** One request, again after each crash, until the host answers it (2xx, or a 4xx that says it was already applied). */
    const acknowledged: string[] = [];
    const call = async (method: string, p: string, body: unknown, bearer: string, applied: number[] = []) => {
      for (;;) {
        try {
          const res = await fetch(`${base}${p}`, {
            method,
            headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
            body: JSON.stringify(body),
          });
          if (res.status < 300 || applied.includes(res.status)) {
            acknowledged.push(`${method} ${p}`);
            return res;
          }
          if (res.status !== 503) throw new Error(`${method} ${p}: ${res.status} ${await res.text()}`);
        } catch (err) {
          if (err instanceof Error && err.message.startsWith(method)) throw err;
        }
        await sleep(50);
      }
    };

    await start();
    let kills = 0;
    const burst = { working: true };
    const killer = (async () => {
      while (kills < KILLS || burst.working) {
        await sleep(150 + random() * 550);
        await kill();
        kills += 1;
        await start();
      }
    })();

    const hires = Array.from({ length: HIRES }, (_, i) =>
      buildHireJson({
        eventId: `kill-hire-${i}`,
        employee: { employeeId: `KILL${i}`, priority: i % 4 === 0 ? 'continuity' : 'standard' },
      }),
    );
    for (const [i, hire] of hires.entries()) {
      await call('POST', '/api/hr-events', hire, hr);
      if (i % 10 === 9) {
        const laptops = Array.from({ length: 10 }, (_, j) => ({
          serialNumber: `KILL-PC-${i - 9 + j}`,
          model: 'Latitude 5440',
        }));
        await call('POST', '/api/laptops', { laptops }, stock);
      }
    }
    for (let i = 0; i < HIRES; i++) {
      // The onboarding appears once its message is handled; approving it before is 404 (not yet).
      for (;;) {
        const res = await call(
          'POST',
          `/api/onboardings/KILL${i}.1/decision`,
          { decision: 'approve' },
          chef,
          [404, 409],
        );
        if (res.status !== 404) break;
        acknowledged.pop();
        await sleep(100);
      }
    }
    await call(
      'POST',
      '/api/hr-events',
      {
        eventId: 'kill-cancel-3',
        type: 'employee.hire-cancelled',
        occurredAt: '2026-12-01T08:00:00Z',
        employee: { employeeId: 'KILL3' },
      },
      hr,
    );
    burst.working = false;
    await killer;

    // Everything acknowledged runs to its end.
    const reader = await token('audit@example.org', [Roles.onboardingRead]);
    const all = async (): Promise<Onboarding[]> => {
      const res = await fetch(`${base}/api/onboardings?limit=200`, { headers: { authorization: `Bearer ${reader}` } });
      return ((await res.json()) as { items: Onboarding[] }).items;
    };
    let onboardings: Onboarding[] = [];
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline) {
      onboardings = await all();
      const finished = onboardings.filter((o) =>
        o.id === 'KILL3.1'
          ? o.status === 'cancelled' && Object.values(o.steps).every((s) => ['reverted', 'skipped'].includes(s.status))
          : o.status === 'completed',
      );
      if (finished.length === HIRES) break;
      await sleep(250);
    }
    const tenant = (await (
      await fetch(`${base}/.local/simulated-tenant`, {
        headers: { authorization: `Bearer ${await readAdminToken(stateDir)}` },
      })
    ).json()) as {
      users: { id: string; userPrincipalName: string }[];
      effects: { kind: string; target: string; detail: string }[];
    };
    const laptops = (await (
      await fetch(`${base}/api/laptops`, { headers: { authorization: `Bearer ${stock}` } })
    ).json()) as { items: { serialNumber: string; status: string; onboardingId: string | null }[] };
    await kill();

    console.log(
      `kill-anywhere: seed ${SEED}, ${acknowledged.length} requests acknowledged, ${kills} kills, ${starts} starts, ` +
        `${tenant.effects.length} Microsoft 365 changes`,
    );
    expect(kills).toBeGreaterThanOrEqual(KILLS);
    // No onboarding lost; every approval kept; each finished.
    expect(onboardings.map((o) => o.id).sort()).toEqual(hires.map((_, i) => `KILL${i}.1`).sort());
    for (const o of onboardings) {
      expect([o.id, o.decision?.decision]).toEqual([o.id, 'approve']);
      expect([o.id, o.status]).toEqual([o.id, o.id === 'KILL3.1' ? 'cancelled' : 'completed']);
    }
    // No laptop given twice or lost: 30 laptops, 29 agents equipped, one back in stock.
    const completed = onboardings.filter((o) => o.status === 'completed');
    const serials = completed.map((o) => o.steps.laptop?.serialNumber);
    expect(new Set(serials).size).toBe(completed.length);
    expect(laptops.items).toHaveLength(30);
    expect(
      laptops.items
        .filter((l) => l.status === 'assigned')
        .map((l) => l.serialNumber)
        .sort(),
    ).toEqual([...serials].sort());
    expect(laptops.items.filter((l) => l.status === 'available')).toHaveLength(1);
    // Each Microsoft 365 change exactly once.
    const idOf = new Map(tenant.users.map((u) => [u.userPrincipalName, u.id]));
    for (const o of completed) {
      const id = idOf.get(o.userPrincipalName.toLowerCase());
      const count = (kind: string) =>
        tenant.effects.filter(
          (e) => e.kind === kind && (e.target === id || e.detail === o.userPrincipalName.toLowerCase()),
        ).length;
      expect([o.id, count('member-added'), count('license-assigned'), count('device-user-assigned')]).toEqual([
        o.id,
        1,
        1,
        1,
      ]);
    }
    const cancelledId = idOf.get(onboardings.find((o) => o.id === 'KILL3.1')!.userPrincipalName.toLowerCase());
    const ofCancelled = (kind: string) =>
      tenant.effects.filter((e) => e.kind === kind && e.target === cancelledId).length;
    expect(ofCancelled('member-added')).toBe(ofCancelled('member-removed'));
    expect(ofCancelled('license-assigned')).toBe(ofCancelled('license-removed'));
    expect(ofCancelled('member-added')).toBeLessThanOrEqual(1);
  }, 240_000);
});
