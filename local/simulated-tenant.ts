import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { jwtVerify, SignJWT } from 'jose';
import { objectIdFor } from './dev-issuer';
import { z } from 'zod';

/**
 * A simulated Microsoft 365 tenant: an HTTPS server on loopback that answers the Microsoft Graph v1.0
 * calls of the connectors (users, group members, licences and seats, Windows Autopilot) with Graph's
 * JSON shapes and error bodies, plus the Entra ID token endpoint for the client-credentials grant.
 * It keeps state, counts the calls that changed something, and can throttle, fail, slow down, and
 * delay the appearance of new users (as directory sync does).
 */

export const TLS_CERT_FILE = path.join(__dirname, 'tls', 'loopback-cert.pem');
const TLS_KEY_FILE = path.join(__dirname, 'tls', 'loopback-key.pem');

/** Office 365 E3, as Graph names it. */
export const DEFAULT_SKU = { skuId: '6fd2c87f-b296-42f0-b197-1e91e994b900', skuPartNumber: 'ENTERPRISEPACK' };
export const DEFAULT_VPN_GROUP_ID = '5b2f0f0e-6f0a-4d5e-9d1c-0a1b2c3d4e5f';
export const GRAPH_PERMISSIONS = [
  'User.Read.All',
  'GroupMember.ReadWrite.All',
  'LicenseAssignment.ReadWrite.All',
  'DeviceManagementServiceConfig.ReadWrite.All',
] as const;
export type GraphPermission = (typeof GRAPH_PERMISSIONS)[number];

/** Families of endpoints that share a throttling budget. */
export type EndpointFamily = 'users' | 'groups' | 'licenses' | 'deviceManagement';

/** The operations that change something; each is counted. */
export type EffectKind =
  | 'member-added'
  | 'member-removed'
  | 'license-assigned'
  | 'license-removed'
  | 'device-user-assigned'
  | 'device-user-unassigned';

export interface Effect {
  kind: EffectKind;
  /** The user (object id) or device (Autopilot id) it changed. */
  target: string;
  detail: string;
  at: string;
}

/** An error to answer instead of doing the operation, until removed. */
export interface InjectedFault {
  status: number;
  code: string;
  message: string;
}

export type FaultableOperation = 'addMember' | 'removeMember' | 'assignLicense' | 'getUser' | 'assignUserToDevice';

export interface SimulatedTenantOptions {
  /** Seats per SKU; default: DEFAULT_SKU with 1,000 seats. */
  skus?: { skuId: string; skuPartNumber: string; seats: number }[];
  vpnGroupId?: string;
  grantedPermissions?: readonly string[];
  /** How long after its first lookup a user exists (directory sync lag). Default 0. */
  userSyncDelayMs?: number;
  /** N requests per window per endpoint family, then 429 with Retry-After. */
  throttle?: { limit: number; windowMs: number };
  /** Share of Graph calls answered 503 (0..1). */
  failureRate?: number;
  /** Added before every Graph answer. */
  latencyMs?: number;
  /** Seed of the random source, for reproducible failures. */
  seed?: number;
  /** Serial numbers that Autopilot does not know; every other serial has an identity. */
  unregisteredSerials?: string[];
}

const autopilotIdentitySchema = z.object({
  id: z.string(),
  serialNumber: z.string(),
  model: z.string(),
  manufacturer: z.string(),
  userPrincipalName: z.string(),
  addressableUserName: z.string(),
});

/** The saved state of the simulated tenant. */
export const simulatedTenantStateSchema = z.object({
  users: z.array(z.object({ id: z.string(), userPrincipalName: z.string(), licenses: z.array(z.string()) })),
  groupMembers: z.record(z.string(), z.array(z.string())),
  seats: z.record(z.string(), z.number()),
  autopilot: z.array(autopilotIdentitySchema),
});
export type SimulatedTenantState = z.infer<typeof simulatedTenantStateSchema>;
type AutopilotIdentity = z.infer<typeof autopilotIdentitySchema>;

interface User {
  id: string;
  userPrincipalName: string;
  visibleAt: number;
  licenses: Set<string>;
}

class GraphHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

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

function guidFrom(text: string): string {
  const h = createHash('sha256').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

const notFound = (what: string) =>
  new GraphHttpError(
    404,
    'Request_ResourceNotFound',
    `Resource '${what}' does not exist or one of its queried reference-property objects are not present.`,
  );

export class SimulatedTenant {
  readonly tenantId = randomUUID();
  readonly clientId = randomUUID();
  readonly clientSecret = randomBytes(24).toString('base64url');
  readonly vpnGroupId: string;
  readonly effects: Effect[] = [];
  /** Every request received, by family, including refused ones. */
  readonly requestCounts: Record<EndpointFamily | 'token', number> = {
    users: 0,
    groups: 0,
    licenses: 0,
    deviceManagement: 0,
    token: 0,
  };
  readonly answeredWith: Record<number, number> = {};

  private readonly users = new Map<string, User>();
  private readonly groupMembers = new Map<string, Set<string>>();
  private readonly skus = new Map<string, { skuPartNumber: string; seats: number }>();
  private readonly autopilot = new Map<string, AutopilotIdentity>();
  private readonly faults = new Map<FaultableOperation, InjectedFault>();
  private readonly delays = new Map<FaultableOperation, number>();
  private readonly windows = new Map<EndpointFamily, { start: number; count: number }>();
  private readonly signingSecret = randomBytes(32);
  private readonly random: () => number;
  private server?: Server;
  private baseUrl = '';

  constructor(private options: SimulatedTenantOptions = {}) {
    this.vpnGroupId = options.vpnGroupId ?? DEFAULT_VPN_GROUP_ID;
    this.groupMembers.set(this.vpnGroupId, new Set());
    for (const sku of options.skus ?? [{ ...DEFAULT_SKU, seats: 1000 }]) {
      this.skus.set(sku.skuId, { skuPartNumber: sku.skuPartNumber, seats: sku.seats });
    }
    this.random = mulberry32(options.seed ?? 20200316);
  }

  // ---- control (tests and the local host) ----

  /** The Graph v1.0 base URL, e.g. https://127.0.0.1:PORT/v1.0. */
  get graphBaseUrl(): string {
    return `${this.baseUrl}/v1.0`;
  }

  /** The authority host for the client-credentials grant. */
  get authorityHost(): string {
    return this.baseUrl;
  }

  configure(
    changes: Partial<Pick<SimulatedTenantOptions, 'throttle' | 'failureRate' | 'latencyMs' | 'userSyncDelayMs'>>,
  ): void {
    this.options = { ...this.options, ...changes };
    this.windows.clear();
  }

  /** Autopilot will not know this serial (a device the OEM never registered). */
  unregisterSerial(serialNumber: string): void {
    this.options = {
      ...this.options,
      unregisteredSerials: [...(this.options.unregisteredSerials ?? []), serialNumber],
    };
    this.autopilot.delete(serialNumber);
  }

  setSeats(skuId: string, seats: number): void {
    const sku = this.skus.get(skuId);
    if (!sku) throw new Error(`no SKU ${skuId}`);
    sku.seats = seats;
  }

  /** The next call of `operation` is answered `ms` later (its effect lands then): to stage races. */
  delayNext(operation: FaultableOperation, ms: number): void {
    this.delays.set(operation, ms);
  }

  injectFault(operation: FaultableOperation, fault: InjectedFault | null): void {
    if (fault) this.faults.set(operation, fault);
    else this.faults.delete(operation);
  }

  effectsOf(kind: EffectKind): Effect[] {
    return this.effects.filter((e) => e.kind === kind);
  }

  userId(upn: string): string | undefined {
    return this.users.get(upn.toLowerCase())?.id;
  }

  isVpnMember(upn: string): boolean {
    const id = this.userId(upn);
    return id !== undefined && (this.groupMembers.get(this.vpnGroupId)?.has(id) ?? false);
  }

  hasLicense(upn: string, skuId = DEFAULT_SKU.skuId): boolean {
    return this.users.get(upn.toLowerCase())?.licenses.has(skuId) ?? false;
  }

  consumedUnits(skuId: string): number {
    let n = 0;
    for (const u of this.users.values()) if (u.licenses.has(skuId)) n += 1;
    return n;
  }

  /** The user the Autopilot identity of `serialNumber` is assigned to ('' when none). */
  deviceUser(serialNumber: string): string | undefined {
    return this.autopilot.get(serialNumber)?.userPrincipalName;
  }

  /** What the tenant holds, to be restored by the next local host. */
  snapshot(): SimulatedTenantState {
    return {
      users: [...this.users.values()].map((u) => ({
        id: u.id,
        userPrincipalName: u.userPrincipalName,
        licenses: [...u.licenses],
      })),
      groupMembers: Object.fromEntries([...this.groupMembers].map(([g, m]) => [g, [...m]])),
      seats: Object.fromEntries([...this.skus].map(([id, sku]) => [id, sku.seats])),
      autopilot: [...this.autopilot.values()].map((a) => ({ ...a })),
    };
  }

  restore(state: SimulatedTenantState): void {
    for (const u of state.users) {
      this.users.set(u.userPrincipalName, {
        id: u.id,
        userPrincipalName: u.userPrincipalName,
        visibleAt: 0,
        licenses: new Set(u.licenses),
      });
    }
    for (const [group, members] of Object.entries(state.groupMembers)) this.groupMembers.set(group, new Set(members));
    for (const [skuId, seats] of Object.entries(state.seats)) {
      const sku = this.skus.get(skuId);
      if (sku) sku.seats = seats;
    }
    for (const a of state.autopilot) this.autopilot.set(a.serialNumber, { ...a });
  }

  // ---- the server ----

  async start(): Promise<void> {
    const server = createServer(
      { cert: readFileSync(TLS_CERT_FILE), key: readFileSync(TLS_KEY_FILE), keepAlive: true },
      (req, res) => {
        void this.handle(req, res);
      },
    );
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    this.server = server;
    this.baseUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', this.baseUrl);
    const method = req.method ?? 'GET';
    try {
      const tokenPath = /^\/([^/]+)\/(v2\.0\/\.well-known\/openid-configuration|oauth2\/v2\.0\/token)$/.exec(
        url.pathname,
      );
      if (tokenPath) {
        this.requestCounts.token += 1;
        this.answer(
          res,
          200,
          tokenPath[2]?.startsWith('oauth2')
            ? await this.issueToken(tokenPath[1] ?? '', raw)
            : this.discovery(tokenPath[1] ?? ''),
        );
        return;
      }
      if (!url.pathname.startsWith('/v1.0/'))
        throw new GraphHttpError(404, 'BadRequest', `Resource not found for the segment '${url.pathname}'.`);
      const route = url.pathname.slice('/v1.0'.length);
      const family = this.familyOf(route);
      this.requestCounts[family] += 1;
      const roles = await this.authenticate(req.headers.authorization);
      if ((this.options.latencyMs ?? 0) > 0) await new Promise((r) => setTimeout(r, this.options.latencyMs));
      const throttleHeaders = this.throttle(family);
      if ((this.options.failureRate ?? 0) > 0 && this.random() < (this.options.failureRate ?? 0)) {
        throw new GraphHttpError(
          503,
          'serviceNotAvailable',
          'The service is temporarily unavailable. Please retry later.',
          {
            'retry-after': '1',
          },
        );
      }
      const body = raw ? (JSON.parse(raw) as unknown) : undefined;
      const delayed = this.operationOf(method, route);
      const delay = delayed ? this.delays.get(delayed) : undefined;
      if (delayed && delay !== undefined) {
        this.delays.delete(delayed);
        await new Promise((r) => setTimeout(r, delay));
      }
      const [status, payload] = this.route(method, route, url.searchParams, body, roles);
      this.answer(res, status, payload, throttleHeaders);
    } catch (err) {
      if (err instanceof GraphHttpError) {
        this.answer(
          res,
          err.status,
          {
            error: {
              code: err.code,
              message: err.message,
              innerError: {
                date: new Date().toISOString().slice(0, 19),
                'request-id': randomUUID(),
                'client-request-id': req.headers['client-request-id'] ?? randomUUID(),
              },
            },
          },
          err.headers,
        );
      } else {
        this.answer(res, 500, {
          error: { code: 'generalException', message: err instanceof Error ? err.message : 'error' },
        });
      }
    }
  }

  private answer(res: ServerResponse, status: number, payload: unknown, headers: Record<string, string> = {}): void {
    this.answeredWith[status] = (this.answeredWith[status] ?? 0) + 1;
    const body = payload === undefined ? '' : JSON.stringify(payload);
    res.writeHead(status, {
      ...(body ? { 'content-type': 'application/json' } : {}),
      'request-id': randomUUID(),
      ...headers,
    });
    res.end(body);
  }

  private operationOf(method: string, route: string): FaultableOperation | undefined {
    if (method === 'POST' && route.endsWith('/assignUserToDevice')) return 'assignUserToDevice';
    if (method === 'POST' && route.endsWith('/assignLicense')) return 'assignLicense';
    if (method === 'POST' && route.endsWith('/members/$ref')) return 'addMember';
    if (method === 'DELETE' && route.endsWith('/$ref')) return 'removeMember';
    if (method === 'GET' && route.startsWith('/users/')) return 'getUser';
    return undefined;
  }

  private familyOf(route: string): EndpointFamily {
    if (route.startsWith('/groups')) return 'groups';
    if (route.startsWith('/subscribedSkus') || route.endsWith('/assignLicense')) return 'licenses';
    if (route.startsWith('/deviceManagement')) return 'deviceManagement';
    return 'users';
  }

  private throttle(family: EndpointFamily): Record<string, string> {
    const limit = this.options.throttle;
    if (!limit) return {};
    const now = Date.now();
    let w = this.windows.get(family);
    if (!w || now - w.start >= limit.windowMs) {
      w = { start: now, count: 0 };
      this.windows.set(family, w);
    }
    w.count += 1;
    if (w.count > limit.limit) {
      const retryAfter = Math.max(1, Math.ceil((w.start + limit.windowMs - now) / 1000));
      throw new GraphHttpError(
        429,
        'TooManyRequests',
        'Too many requests. Please retry after the time in the Retry-After header.',
        {
          'retry-after': String(retryAfter),
          'x-ms-throttle-limit-percentage': (w.count / limit.limit).toFixed(2),
        },
      );
    }
    const usage = w.count / limit.limit;
    return usage > 0.8 ? { 'x-ms-throttle-limit-percentage': usage.toFixed(2) } : {};
  }

  // ---- Entra ID: discovery and the client-credentials grant ----

  private discovery(tenant: string): Record<string, unknown> {
    const base = `${this.baseUrl}/${tenant}`;
    return {
      issuer: `${base}/v2.0`,
      token_endpoint: `${base}/oauth2/v2.0/token`,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      jwks_uri: `${base}/discovery/v2.0/keys`,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      response_types_supported: ['code', 'id_token', 'token'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
    };
  }

  private async issueToken(tenant: string, raw: string): Promise<Record<string, unknown>> {
    const form = new URLSearchParams(raw);
    if (tenant !== this.tenantId || form.get('grant_type') !== 'client_credentials') {
      throw new GraphHttpError(400, 'invalid_request', 'AADSTS90002: Tenant not found or unsupported grant.');
    }
    if (form.get('client_id') !== this.clientId || form.get('client_secret') !== this.clientSecret) {
      throw new GraphHttpError(401, 'invalid_client', 'AADSTS7000215: Invalid client secret provided.');
    }
    const lifetime = 3599;
    const accessToken = await new SignJWT({
      roles: [...(this.options.grantedPermissions ?? GRAPH_PERMISSIONS)],
      appid: this.clientId,
      tid: this.tenantId,
    })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(`https://sts.windows.net/${this.tenantId}/`)
      .setAudience('https://graph.microsoft.com')
      .setIssuedAt()
      .setExpirationTime(`${lifetime}s`)
      .sign(this.signingSecret);
    return { token_type: 'Bearer', expires_in: lifetime, ext_expires_in: lifetime, access_token: accessToken };
  }

  private async authenticate(header: string | undefined): Promise<Set<string>> {
    const token = header?.startsWith('Bearer ') ? header.slice(7) : undefined;
    if (!token) throw new GraphHttpError(401, 'InvalidAuthenticationToken', 'Access token is empty.');
    try {
      const { payload } = await jwtVerify(token, this.signingSecret, { audience: 'https://graph.microsoft.com' });
      return new Set(Array.isArray(payload.roles) ? payload.roles.map(String) : []);
    } catch {
      throw new GraphHttpError(
        401,
        'InvalidAuthenticationToken',
        'Access token validation failure. Invalid audience or signature.',
      );
    }
  }

  // ---- Microsoft Graph v1.0 ----

  private require(roles: Set<string>, permission: GraphPermission): void {
    if (!roles.has(permission)) {
      throw new GraphHttpError(
        403,
        'Authorization_RequestDenied',
        'Insufficient privileges to complete the operation.',
      );
    }
  }

  private fault(operation: FaultableOperation): void {
    const fault = this.faults.get(operation);
    if (fault) throw new GraphHttpError(fault.status, fault.code, fault.message);
  }

  private findUser(idOrUpn: string): User {
    const key = decodeURIComponent(idOrUpn).toLowerCase();
    const now = Date.now();
    let user = [...this.users.values()].find((u) => u.id === key) ?? this.users.get(key);
    if (!user && key.includes('@')) {
      // First lookup: directory sync brings the account over after the configured delay.
      user = {
        id: objectIdFor(key),
        userPrincipalName: key,
        visibleAt: now + (this.options.userSyncDelayMs ?? 0),
        licenses: new Set(),
      };
      this.users.set(key, user);
    }
    if (!user || user.visibleAt > now) throw notFound(idOrUpn);
    return user;
  }

  private userView(u: User): Record<string, unknown> {
    return {
      '@odata.context': `${this.graphBaseUrl}/$metadata#users/$entity`,
      id: u.id,
      userPrincipalName: u.userPrincipalName,
      assignedLicenses: [...u.licenses].map((skuId) => ({ skuId, disabledPlans: [] })),
    };
  }

  private identity(serialNumber: string): AutopilotIdentity | undefined {
    if (this.options.unregisteredSerials?.includes(serialNumber)) return undefined;
    let identity = this.autopilot.get(serialNumber);
    if (!identity) {
      // Every device the OEM delivered is registered in Autopilot by its serial number.
      identity = {
        id: guidFrom(`autopilot:${serialNumber}`),
        serialNumber,
        model: 'Latitude 5440',
        manufacturer: 'Dell Inc.',
        userPrincipalName: '',
        addressableUserName: '',
      };
      this.autopilot.set(serialNumber, identity);
    }
    return identity;
  }

  private effect(kind: EffectKind, target: string, detail: string): void {
    this.effects.push({ kind, target, detail, at: new Date().toISOString() });
  }

  private route(
    method: string,
    route: string,
    query: URLSearchParams,
    body: unknown,
    roles: Set<string>,
  ): [number, unknown] {
    let m: RegExpExecArray | null;
    if (method === 'GET' && (m = /^\/users\/([^/]+)$/.exec(route))) {
      this.require(roles, 'User.Read.All');
      this.fault('getUser');
      return [200, this.userView(this.findUser(m[1] ?? ''))];
    }
    if (method === 'POST' && (m = /^\/groups\/([^/]+)\/members\/\$ref$/.exec(route))) {
      this.require(roles, 'GroupMember.ReadWrite.All');
      this.fault('addMember');
      const members = this.groupMembers.get(m[1] ?? '');
      if (!members) throw notFound(m[1] ?? '');
      const ref = (body as { '@odata.id'?: string } | undefined)?.['@odata.id'] ?? '';
      const userId = /directoryObjects\/([^/]+)$/.exec(ref)?.[1];
      if (!userId) throw new GraphHttpError(400, 'Request_BadRequest', 'Invalid object identifier.');
      this.findUser(userId);
      if (members.has(userId)) {
        throw new GraphHttpError(
          400,
          'Request_BadRequest',
          "One or more added object references already exist for the following modified properties: 'members'.",
        );
      }
      members.add(userId);
      this.effect('member-added', userId, m[1] ?? '');
      return [204, undefined];
    }
    if (method === 'DELETE' && (m = /^\/groups\/([^/]+)\/members\/([^/]+)\/\$ref$/.exec(route))) {
      this.require(roles, 'GroupMember.ReadWrite.All');
      this.fault('removeMember');
      const members = this.groupMembers.get(m[1] ?? '');
      if (!members?.has(m[2] ?? '')) throw notFound(m[2] ?? '');
      members.delete(m[2] ?? '');
      this.effect('member-removed', m[2] ?? '', m[1] ?? '');
      return [204, undefined];
    }
    if (method === 'GET' && route === '/subscribedSkus') {
      this.require(roles, 'LicenseAssignment.ReadWrite.All');
      return [
        200,
        {
          '@odata.context': `${this.graphBaseUrl}/$metadata#subscribedSkus`,
          value: [...this.skus].map(([skuId, s]) => ({
            skuId,
            skuPartNumber: s.skuPartNumber,
            capabilityStatus: 'Enabled',
            appliesTo: 'User',
            consumedUnits: this.consumedUnits(skuId),
            prepaidUnits: { enabled: s.seats, suspended: 0, warning: 0, lockedOut: 0 },
          })),
        },
      ];
    }
    if (method === 'POST' && (m = /^\/users\/([^/]+)\/assignLicense$/.exec(route))) {
      this.require(roles, 'LicenseAssignment.ReadWrite.All');
      this.fault('assignLicense');
      const user = this.findUser(m[1] ?? '');
      const req = body as { addLicenses?: { skuId: string }[]; removeLicenses?: string[] } | undefined;
      if (!Array.isArray(req?.addLicenses) || !Array.isArray(req.removeLicenses)) {
        throw new GraphHttpError(
          400,
          'Request_BadRequest',
          "Invalid value specified for property 'addLicenses' or 'removeLicenses' of resource 'User'.",
        );
      }
      for (const skuId of req.removeLicenses) {
        if (!user.licenses.has(skuId))
          throw new GraphHttpError(400, 'Request_BadRequest', 'User does not have a corresponding license.');
      }
      for (const { skuId } of req.addLicenses) {
        const sku = this.skus.get(skuId);
        if (!sku)
          throw new GraphHttpError(
            400,
            'Request_BadRequest',
            `License ${skuId} does not correspond to a valid company License.`,
          );
        if (!user.licenses.has(skuId) && this.consumedUnits(skuId) >= sku.seats) {
          throw new GraphHttpError(
            400,
            'Request_BadRequest',
            `Subscription with SKU ${skuId} does not have any available licenses.`,
          );
        }
      }
      for (const skuId of req.removeLicenses) {
        user.licenses.delete(skuId);
        this.effect('license-removed', user.id, skuId);
      }
      for (const { skuId } of req.addLicenses) {
        if (!user.licenses.has(skuId)) {
          user.licenses.add(skuId);
          this.effect('license-assigned', user.id, skuId);
        }
      }
      return [200, this.userView(user)];
    }
    if (method === 'GET' && route === '/deviceManagement/windowsAutopilotDeviceIdentities') {
      this.require(roles, 'DeviceManagementServiceConfig.ReadWrite.All');
      const serial = /contains\(serialNumber,\s*'([^']*)'\)/.exec(query.get('$filter') ?? '')?.[1];
      const found = serial ? this.identity(serial) : undefined;
      return [
        200,
        {
          '@odata.context': `${this.graphBaseUrl}/$metadata#deviceManagement/windowsAutopilotDeviceIdentities`,
          value: found ? [found] : [],
        },
      ];
    }
    if (
      method === 'POST' &&
      (m =
        /^\/deviceManagement\/windowsAutopilotDeviceIdentities\/([^/]+)\/(assignUserToDevice|unassignUserFromDevice)$/.exec(
          route,
        ))
    ) {
      this.require(roles, 'DeviceManagementServiceConfig.ReadWrite.All');
      const identity = [...this.autopilot.values()].find((i) => i.id === m?.[1]);
      if (!identity) throw notFound(m[1] ?? '');
      if (m[2] === 'assignUserToDevice') {
        this.fault('assignUserToDevice');
        const upn = (body as { userPrincipalName?: string } | undefined)?.userPrincipalName;
        if (!upn) throw new GraphHttpError(400, 'BadRequest', 'userPrincipalName is required.');
        identity.userPrincipalName = upn.toLowerCase();
        identity.addressableUserName = (body as { addressableUserName?: string }).addressableUserName ?? '';
        this.effect('device-user-assigned', identity.id, upn.toLowerCase());
      } else {
        identity.userPrincipalName = '';
        identity.addressableUserName = '';
        this.effect('device-user-unassigned', identity.id, identity.serialNumber);
      }
      return [204, undefined];
    }
    throw new GraphHttpError(400, 'BadRequest', `Resource not found for the segment '${route}'.`);
  }
}
