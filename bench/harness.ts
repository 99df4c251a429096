import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { startLocalHost, type LocalHost, type LocalHostOptions } from '../local/host';
import { Roles } from '../shared/domain/roles';

/** What the benchmark drives: the local host (the same functions as in Azure) on loopback. */
export async function benchHost(options: LocalHostOptions): Promise<LocalHost> {
  return startLocalHost({
    port: 0,
    stateDir: mkdtempSync(path.join(tmpdir(), 'bench-')),
    logHandler: () => undefined,
    ...options,
  });
}

export const RESULTS_DIR = path.resolve(__dirname, 'results');

export function writeResult(name: string, result: unknown): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${name}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

/** A line that rewrites itself on a terminal (progress of a long run), a plain line elsewhere. */
export function progress(line: string): void {
  if (process.stdout.isTTY) process.stdout.write(`\r${line.padEnd(110)}`);
  else console.log(line);
}

export function progressDone(): void {
  if (process.stdout.isTTY) process.stdout.write('\n');
}

/** Runs `work` over the items with at most `concurrency` at a time. */
export async function pool<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const item = items[next++];
        if (item !== undefined) await work(item);
      }
    }),
  );
}

/** An API client of the host: a call again on 429, 503 or a 404 the caller expects to pass (not there yet). */
export function apiClient(host: LocalHost) {
  return async function call(
    method: string,
    url: string,
    token: string,
    body?: unknown,
    options: { retryOn?: number[]; attempts?: number } = {},
  ): Promise<{ status: number; body: unknown; ms: number }> {
    const retryOn = options.retryOn ?? [429, 503];
    for (let attempt = 0; ; attempt++) {
      const started = performance.now();
      const res = await fetch(`${host.url}${url}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      const ms = performance.now() - started;
      if (retryOn.includes(res.status) && attempt < (options.attempts ?? 600)) {
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      if (res.status >= 400) throw new Error(`${method} ${url}: ${res.status} ${text.slice(0, 300)}`);
      const type = res.headers.get('content-type') ?? '';
      return { status: res.status, body: type.includes('json') && text ? (JSON.parse(text) as unknown) : text, ms };
    }
  };
}

/**
 * The DSI at its console in a crisis: the onboardings awaiting approval, continuity first (as the approvals screen
 * lists them), approved two hundred at a time (`POST /api/decisions`) as they come, until `total` are approved.
 * Answers when the last continuity agent was approved (ms since the epoch).
 */
export async function approveAsTheConsoleLists(
  call: ReturnType<typeof apiClient>,
  token: string,
  total: number,
): Promise<{ continuityApprovedAt: number }> {
  const awaiting = async (priority: string) => {
    const { body } = await call(
      'GET',
      `/api/onboardings?status=awaiting-approval&priority=${priority}&limit=200`,
      token,
    );
    return (body as { items: { id: string }[] }).items.map((o) => o.id);
  };
  let approved = 0;
  let continuityApprovedAt = 0;
  const deadline = Date.now() + 600_000;
  while (approved < total) {
    if (Date.now() > deadline) throw new Error(`${approved} of ${total} approved after 10 minutes`);
    const continuity = await awaiting('continuity');
    const batch = continuity.length > 0 ? continuity : await awaiting('standard');
    if (batch.length === 0) {
      await new Promise((r) => setTimeout(r, 50));
      continue;
    }
    const { body } = await call('POST', '/api/decisions', token, {
      decisions: batch.map((onboardingId) => ({ onboardingId, decision: 'approve' })),
    });
    approved += (body as { results: { status: number }[] }).results.filter((r) => r.status === 200).length;
    if (continuity.length > 0) continuityApprovedAt = Date.now();
  }
  return { continuityApprovedAt };
}

export async function tokens(host: LocalHost) {
  return {
    hr: await host.token('sirh@example.org', [Roles.hrEventsSend]),
    chef: await host.token('chef.dsi@example.org', [Roles.onboardingApprove]),
    audit: await host.token('audit@example.org', [Roles.onboardingRead]),
  };
}

/** A hire of the crisis: one in five named under the business-continuity plan. */
export function hireOf(i: number, prefix: string) {
  return {
    eventId: `${prefix}-hire-${i}`,
    type: 'employee.hired',
    occurredAt: '2026-11-29T08:00:00Z',
    employee: {
      employeeId: `${prefix.toUpperCase()}${i}`,
      givenName: 'Agent',
      surname: `N${i}`,
      userPrincipalName: `agent.${prefix}.${i}@example.org`,
      department: ['Direction des lycées', 'DSI', 'Finances', 'Transports'][i % 4] ?? 'DSI',
      startDate: `2026-12-${String((i % 20) + 1).padStart(2, '0')}`,
      priority: i % 5 === 0 ? 'continuity' : 'standard',
    },
  };
}

export interface Series {
  name: string;
  points: [number, number][];
  dashed?: boolean;
}

/** A small line chart as SVG: provisioned over time, one line a series, vertical markers. */
export function lineChart(options: {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  markers?: { x: number; label: string }[];
}): string {
  const width = 760;
  const height = 420;
  const margin = { left: 60, right: 170, top: 40, bottom: 50 };
  const all = options.series.flatMap((s) => s.points);
  const maxX = Math.max(1, ...all.map(([x]) => x), ...(options.markers ?? []).map((m) => m.x)) * 1.05;
  const maxY = Math.max(1, ...all.map(([, y]) => y)) * 1.05;
  const sx = (x: number) => margin.left + (x / maxX) * (width - margin.left - margin.right);
  const sy = (y: number) => height - margin.bottom - (y / maxY) * (height - margin.top - margin.bottom);
  const colors = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];
  const escape = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const ticks = (max: number, n: number) => Array.from({ length: n + 1 }, (_, i) => (max / n) * i);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15">${escape(options.title)}</text>`,
    `<line x1="${margin.left}" y1="${sy(0)}" x2="${width - margin.right}" y2="${sy(0)}" stroke="#333"/>`,
    `<line x1="${margin.left}" y1="${sy(0)}" x2="${margin.left}" y2="${margin.top}" stroke="#333"/>`,
    ...ticks(maxX, 6).map(
      (x) =>
        `<text x="${sx(x)}" y="${sy(0) + 16}" text-anchor="middle">${x.toFixed(0)}</text>` +
        `<line x1="${sx(x)}" y1="${sy(0)}" x2="${sx(x)}" y2="${sy(0) + 4}" stroke="#333"/>`,
    ),
    ...ticks(maxY, 5).map(
      (y) =>
        `<text x="${margin.left - 6}" y="${sy(y) + 4}" text-anchor="end">${y.toFixed(0)}</text>` +
        `<line x1="${margin.left}" y1="${sy(y)}" x2="${width - margin.right}" y2="${sy(y)}" stroke="#eee"/>`,
    ),
    `<text x="${(margin.left + width - margin.right) / 2}" y="${height - 12}" text-anchor="middle">${escape(options.xLabel)}</text>`,
    `<text x="16" y="${(margin.top + height - margin.bottom) / 2}" text-anchor="middle" transform="rotate(-90 16 ${(margin.top + height - margin.bottom) / 2})">${escape(options.yLabel)}</text>`,
    ...options.series.map((s, i) => {
      const color = colors[i % colors.length] ?? '#000';
      const points = s.points.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ');
      const legendY = margin.top + 18 * i;
      return (
        `<polyline fill="none" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''} points="${points}"/>` +
        `<line x1="${width - margin.right + 10}" y1="${legendY}" x2="${width - margin.right + 30}" y2="${legendY}" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>` +
        `<text x="${width - margin.right + 35}" y="${legendY + 4}">${escape(s.name)}</text>`
      );
    }),
    ...(options.markers ?? []).map(
      (m) =>
        `<line x1="${sx(m.x)}" y1="${sy(0)}" x2="${sx(m.x)}" y2="${margin.top}" stroke="#555" stroke-dasharray="2 3"/>` +
        `<text x="${sx(m.x) + 3}" y="${margin.top + 10}" fill="#555">${escape(m.label)}</text>`,
    ),
    '</svg>',
  ];
  return parts.join('\n');
}

export function writeChart(name: string, svg: string): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${name}.svg`);
  writeFileSync(file, `${svg}\n`);
  return file;
}
