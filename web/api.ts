import type { ForecastWithReturns as Forecast } from '../shared/app/reports/forecast';
import type { ImportSummary } from '../shared/import/hr-csv';
import type { ImportError } from '../shared/import/csv';
import type { EquipmentImportSummary } from '../shared/import/equipment-csv';
import type { SummaryReport as Summary } from '../shared/app/reports/reports';
import type { OnboardingView as Onboarding } from '../shared/schemas/api';
import type { OnboardingStatus, StepName } from '../shared/schemas/onboarding';
import type { LaptopStatus } from '../shared/schemas/laptops';
import type { LaptopView as Laptop } from '../shared/schemas/laptops';
import type { Role } from '../shared/domain/roles';
import type { AttentionReason } from '../shared/ports/onboarding-store';
import type { ManagerView as Arrival } from '../shared/app/onboarding/arrivals';
import type { OnboardingCounts as Counts } from '../shared/app/onboarding/to-handle';
import type { AccessoryCount } from '../shared/schemas/accessories';
import type { IssuedAccessPass } from '../shared/ports/access-passes';

export type {
  AccessoryCount,
  Counts,
  Arrival,
  AttentionReason,
  IssuedAccessPass,
  EquipmentImportSummary,
  Forecast,
  ImportError,
  ImportSummary,
  Laptop,
  LaptopStatus,
  Onboarding,
  OnboardingStatus,
  Role,
  StepName,
  Summary,
};

/** `GET /api/onboardings`: a page, and how many match. */
export interface ListPage {
  items: Onboarding[];
  continuationToken: string | null;
  total: number;
}


/** `GET /api/onboardings/to-handle`. */
export interface ToHandle {
  total: number;
  items: { onboarding: Onboarding; reasons: AttentionReason[] }[];
}

/** `GET /api/laptops/deliveries`. */
export interface Delivery {
  id: string;
  expectedOn: string;
  count: number;
  model: string | null;
  site: string | null;
}

/** An RFC 9457 problem the API answered, or one the page makes of a failure to reach it. */
export interface Problem {
  type?: string;
  title: string;
  status: number;
  detail: string;
  code?: string;
  errors?: { path?: string; line?: number; message: string }[];
  [member: string]: unknown;
}

export class ApiProblem extends Error {
  override readonly name = 'ApiProblem';
  constructor(readonly problem: Problem) {
    super(`${problem.title}: ${problem.detail}`);
  }
}

export interface Me {
  kind: 'person' | 'app';
  oid: string;
  name: string;
  roles: Role[];
}

/** The steps in the order the console shows them. */
export const STEP_NAMES: readonly StepName[] = ['laptop', 'vpn', 'officeLicense', 'teams', 'accessories'];

export interface Page<T> {
  items: T[];
  continuationToken: string | null;
}

export interface HistoryEntry {
  at: string;
  type: string;
  actor: string;
  details?: Record<string, unknown>;
}

export interface DecisionResult {
  onboardingId: string;
  status: number;
  onboarding?: Onboarding;
  problem?: Problem;
}

export type Query = Record<string, string | number | undefined | null>;

interface RequestOptions {
  query?: Query;
  json?: unknown;
  body?: BodyInit;
  contentType?: string;
}

/** The query string of the non-empty values. */
export function queryString(query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : '';
}

async function problemOf(res: Response): Promise<Problem> {
  const type = res.headers.get('content-type') ?? '';
  if (type.includes('json')) {
    try {
      const body = (await res.json()) as Partial<Problem>;
      return {
        ...body,
        title: body.title ?? res.statusText,
        status: body.status ?? res.status,
        detail: body.detail ?? '',
      };
    } catch {
      // not JSON after all: described below
    }
  }
  return {
    title: res.statusText || `HTTP ${res.status}`,
    status: res.status,
    detail: await res.text().catch(() => ''),
  };
}

/**
 * The API as the signed-in person calls it: every request carries their token; any answer that is not 2xx
 * is thrown as the problem it carries (its title and detail are what the page shows).
 */
export class Api {
  constructor(
    private readonly token: () => Promise<string>,
    private readonly onUnauthorized: () => void,
  ) {}

  async fetch(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
    const headers: Record<string, string> = { authorization: `Bearer ${await this.token()}` };
    let body: BodyInit | undefined = options.body;
    if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    } else if (options.contentType) headers['content-type'] = options.contentType;
    let res: Response;
    try {
      res = await fetch(`/api/${path}${queryString(options.query)}`, { method, headers, ...(body ? { body } : {}) });
    } catch (err) {
      // Said in the page's words by its status (0: not reached); the browser's own words stay technical.
      throw new ApiProblem({
        title: 'Network error',
        status: 0,
        detail: err instanceof Error ? err.message : String(err),
      });
    }
    if (res.status === 401) this.onUnauthorized();
    if (!res.ok) throw new ApiProblem(await problemOf(res));
    return res;
  }

  async json<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const text = await (await this.fetch(method, path, options)).text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  get<T>(path: string, query?: Query): Promise<T> {
    return this.json<T>('GET', path, query ? { query } : {});
  }

  /** Every page of a list, following continuation tokens (at most `max` items). */
  async all<T>(path: string, query: Query = {}, max = 5000): Promise<T[]> {
    const items: T[] = [];
    let token: string | null = null;
    do {
      const page: Page<T> = await this.get<Page<T>>(path, { ...query, limit: 200, continuationToken: token });
      items.push(...page.items);
      token = page.continuationToken;
    } while (token && items.length < max);
    return items;
  }
}
