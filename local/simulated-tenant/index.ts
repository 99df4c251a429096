import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { jwtVerify } from 'jose';
import { GRAPH_APPLICATION_PERMISSIONS } from '../../shared/adapters/graph/graph-permissions';
import { z } from 'zod';
import {
  AccessPasses,
  accessPassStateSchema,
  DEFAULT_ACCESS_PASS_POLICY,
  type AccessPassPolicy,
  type AccessPassState,
} from './authentication-methods';
import { Autopilot, autopilotIdentitySchema } from './autopilot';
import { Directory, type TenantUser } from './directory';
import { badRequest, GraphHttpError, OAuthError, resourceNotFound } from './graph-errors';
import { Licences } from './licences';
import { GRAPH_OPERATIONS, type GraphOperation } from './permissions';
import { regionFigures, regionSeed, type RegionOptions } from './region';
import { Teams, teamStateSchema, type TeamState } from './teams';
import { DOCUMENTED_LIMITS, GraphThrottle, type GraphLimits } from './throttling';
import { TokenEndpoint } from './token-endpoint';
import { teamsCardSchema, TeamsWorkflowChannel, type ReceivedTeamsCard } from './teams-workflow';

export {
  acceleratedLimits,
  DOCUMENTED_LIMITS,
  DOCUMENTED_TEAMS_LIMITS,
  scaledLimits,
  type GraphLimits,
} from './throttling';
export { GRAPH_OPERATIONS, type GraphOperation } from './permissions';
export { MESSAGES as LICENCE_MESSAGES } from './licences';
export { DEFAULT_ACCESS_PASS_POLICY, type AccessPassPolicy } from './authentication-methods';
export {
  DEFAULT_REGION,
  regionDepartmentTeams,
  regionDesktops,
  regionLaptops,
  regionSeed,
  type RegionOptions,
} from './region';

/**
 * A simulated Microsoft 365 tenant: an HTTPS server on loopback that answers the Microsoft Graph v1.0
 * calls of the connectors with Graph's shapes, errors, permissions and throttling, plus the Entra ID token
 * endpoint. One module per Graph area: directory (users, groups, managers), licences, Autopilot, Teams membership,
 * authentication methods (Temporary Access Pass), throttling, token endpoint, each citing the reference it
 * follows; the Région's agents in post come from its own module (region.ts). It keeps a ledger of every change it
 * made.
 */

export const TLS_CERT_FILE = path.join(__dirname, '..', 'tls', 'loopback-cert.pem');
const TLS_KEY_FILE = path.join(__dirname, '..', 'tls', 'loopback-key.pem');

/** Office 365 E3, as Graph names it. */
export const DEFAULT_SKU = { skuId: '6fd2c87f-b296-42f0-b197-1e91e994b900', skuPartNumber: 'ENTERPRISEPACK' };
export const DEFAULT_VPN_GROUP_ID = '5b2f0f0e-6f0a-4d5e-9d1c-0a1b2c3d4e5f';
/** The domain the tenant owns; HR-driven provisioning creates accounts in it only. */
export const DEFAULT_VERIFIED_DOMAINS = ['example.org'];

/** Families of endpoints, for counting requests. */
export type EndpointFamily = 'users' | 'groups' | 'licenses' | 'deviceManagement' | 'teams' | 'authentication';

/** The operations that change something; each is counted in the ledger. */
/** What the throttle had admitted at an instant (SimulatedTenant.throttleMark). */
export interface ThrottleMark {
  consumed: Partial<GraphThrottle['consumed']>;
  perTeam: Map<string, number>;
}

export type EffectKind =
  | 'user-provisioned'
  | 'user-updated'
  | 'member-added'
  | 'member-removed'
  | 'license-assigned'
  | 'license-removed'
  | 'device-user-assigned'
  | 'device-user-unassigned'
  | 'directory-seeded'
  | 'team-member-added'
  | 'team-member-removed'
  | 'access-pass-created'
  | 'access-pass-deleted';

const effectSchema = z.object({
  kind: z.enum([
    'user-provisioned',
    'user-updated',
    'member-added',
    'member-removed',
    'license-assigned',
    'license-removed',
    'device-user-assigned',
    'device-user-unassigned',
    'directory-seeded',
    'team-member-added',
    'team-member-removed',
    'access-pass-created',
    'access-pass-deleted',
  ]),
  /** The user (object id) or device (Autopilot id) it changed; `tenant` for the seed. */
  target: z.string(),
  detail: z.string(),
  at: z.string(),
});
export type Effect = z.infer<typeof effectSchema>;

/** An error to answer instead of doing the operation, until removed. */
export interface InjectedFault {
  status: number;
  code: string;
  message: string;
}

export interface SimulatedTenantOptions {
  /** Seats per SKU; default: DEFAULT_SKU with 1,000 seats. */
  skus?: { skuId: string; skuPartNumber: string; seats: number }[];
  vpnGroupId?: string;
  /** The application permissions granted to the connectors' identity. Default: the product's table. */
  grantedPermissions?: readonly string[];
  verifiedDomains?: string[];
  /** How long after HR-driven provisioning a user is found (directory sync). Default 0. */
  userSyncDelayMs?: number;
  /** How long after a change other replicas see it (references, usageLocation). Default 0. */
  replicationLagMs?: number;
  /** Graph's throttling; null: off. Default: the documented limits. */
  limits?: GraphLimits | null;
  /** Share of Graph calls answered 503 (0..1). */
  failureRate?: number;
  /** Added before every Graph answer. */
  latencyMs?: number;
  /** Seed of the random source, for reproducible failures. */
  seed?: number;
  /** Serial numbers that Autopilot does not know; every other serial has an identity. */
  unregisteredSerials?: string[];
  /**
   * How long Intune takes to apply an Autopilot user assignment (or unassignment) it accepted: until then the
   * device shows the user it had. Default 0.
   */
  autopilotAssignmentDelayMs?: number;
  /** Autopilot identities per page of a list (more through `@odata.nextLink`). Default 100. */
  autopilotPageSize?: number;
  /**
   * The Région's agents in post, put in the directory by `seedRegion()` at a first start (local/simulated-tenant/region.ts).
   * Absent, or 0 agents: an empty directory.
   */
  region?: RegionOptions;
  /** Team members per page of GET /teams/{id}/members (more through `@odata.nextLink`). Default 100. */
  teamMembersPageSize?: number;
  /** Users per page of GET /users (Graph's default page is 100). */
  usersPageSize?: number;
  /** The tenant's Temporary Access Pass policy; default: a new tenant's (enabled, 60 to 480 minutes). */
  accessPassPolicy?: Partial<AccessPassPolicy>;
}

const userStateSchema = z.object({
  id: z.string(),
  userPrincipalName: z.string(),
  givenName: z.string().nullable(),
  surname: z.string().nullable(),
  displayName: z.string().nullable(),
  usageLocation: z.string().nullable(),
  // Properties of the Région's agents (a state saved before them has none).
  employeeId: z.string().nullable().default(null),
  department: z.string().nullable().default(null),
  officeLocation: z.string().nullable().default(null),
  jobTitle: z.string().nullable().default(null),
  /** The manager's object id. */
  managerId: z.string().nullable().default(null),
  licenses: z.array(z.string()),
});
const groupStateSchema = z.object({ members: z.array(z.string()), licenses: z.array(z.string()) });

/** One change of the tenant, as the local host journals it: each one puts an entity, so replaying twice is harmless. */
export const tenantRecordSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('user'), user: z.lazy(() => userStateSchema) }),
  z.object({ op: z.literal('group'), id: z.string(), members: z.array(z.string()), licenses: z.array(z.string()) }),
  z.object({ op: z.literal('seats'), skuId: z.string(), seats: z.number() }),
  z.object({ op: z.literal('device'), identity: autopilotIdentitySchema }),
  z.object({ op: z.literal('effect'), index: z.number().int().nonnegative(), effect: effectSchema }),
  z.object({ op: z.literal('teams-card'), index: z.number().int().nonnegative(), card: teamsCardSchema }),
  z.object({ op: z.literal('team'), team: teamStateSchema }),
  /** A user's Temporary Access Pass as the tenant keeps it (never the pass), or null once deleted. */
  z.object({ op: z.literal('access-pass'), userId: z.string(), pass: accessPassStateSchema.nullable() }),
  /** The Région's directory put at a first start, in one record: a crash keeps all of it or none. */
  z.object({
    op: z.literal('seed'),
    users: z.array(z.lazy(() => userStateSchema)),
    groups: z.record(z.string(), groupStateSchema),
    teams: z.array(teamStateSchema),
    autopilot: z.array(autopilotIdentitySchema),
    seats: z.record(z.string(), z.number()),
  }),
]);
export type TenantRecord = z.infer<typeof tenantRecordSchema>;

/** Where the tenant writes its changes down: `flush` resolves once they are on disk. */
export interface TenantJournal {
  append(record: TenantRecord): void;
  flush(): Promise<void>;
}

/** The saved state of the simulated tenant: its directory, seats, devices and ledger. */
export const simulatedTenantStateSchema = z.object({
  users: z.array(userStateSchema),
  groups: z.record(z.string(), groupStateSchema),
  seats: z.record(z.string(), z.number()),
  autopilot: z.array(autopilotIdentitySchema),
  effects: z.array(effectSchema),
  /** What the DSI's Teams channel received (a state saved before it existed has none). */
  teamsCards: z.array(teamsCardSchema).default([]),
  /** Teams (Microsoft 365 groups with a team) and their members (a state saved before them has none). */
  teams: z.array(teamStateSchema).default([]),
  /** Temporary Access Passes, without the passes themselves. */
  accessPasses: z.array(accessPassStateSchema).default([]),
});
export type SimulatedTenantState = z.infer<typeof simulatedTenantStateSchema>;
type StoredUserState = z.infer<typeof userStateSchema>;

/** Applies one journaled change to a saved state (the local host replays its journal this way). */
export function applyTenantRecord(state: SimulatedTenantState, r: TenantRecord): void {
  switch (r.op) {
    case 'user':
      state.users = [...state.users.filter((u) => u.id !== r.user.id), r.user];
      break;
    case 'group':
      state.groups[r.id] = { members: r.members, licenses: r.licenses };
      break;
    case 'seats':
      state.seats[r.skuId] = r.seats;
      break;
    case 'device':
      state.autopilot = [...state.autopilot.filter((a) => a.serialNumber !== r.identity.serialNumber), r.identity];
      break;
    case 'effect':
      state.effects[r.index] = r.effect;
      break;
    case 'teams-card':
      state.teamsCards[r.index] = r.card;
      break;
    case 'team':
      state.teams = [...state.teams.filter((t) => t.id !== r.team.id), r.team];
      break;
    case 'access-pass':
      state.accessPasses = [...state.accessPasses.filter((p) => p.userId !== r.userId), ...(r.pass ? [r.pass] : [])];
      break;
    case 'seed': {
      const users = new Map(state.users.map((u) => [u.id, u]));
      for (const u of r.users) users.set(u.id, u);
      state.users = [...users.values()];
      Object.assign(state.groups, r.groups);
      const teams = new Map(state.teams.map((t) => [t.id, t]));
      for (const t of r.teams) teams.set(t.id, t);
      state.teams = [...teams.values()];
      const devices = new Map(state.autopilot.map((a) => [a.serialNumber, a]));
      for (const a of r.autopilot) devices.set(a.serialNumber, a);
      state.autopilot = [...devices.values()];
      Object.assign(state.seats, r.seats);
      break;
    }
  }
}

export const emptyTenantState = (): SimulatedTenantState => ({
  users: [],
  groups: {},
  seats: {},
  autopilot: [],
  effects: [],
  teamsCards: [],
  teams: [],
  accessPasses: [],
});

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

interface Call {
  operation: GraphOperation;
  params: string[];
  family: EndpointFamily;
}

const AUTOPILOT = '/deviceManagement/windowsAutopilotDeviceIdentities';

const TAP_METHODS = /^\/users\/([^/]+)\/authentication\/temporaryAccessPassMethods(?:\/([^/]+))?$/;
const TAP_POLICY =
  /^\/policies\/authenticationMethodsPolicy\/authenticationMethodConfigurations\/temporaryAccessPass$/i;
const TEAM_MEMBERS = /^\/teams\/([^/]+)\/members(?:\/([^/]+))?$/;

/** Which operation a method and path are, or null. */
function callOf(method: string, route: string): Call | null {
  let m: RegExpExecArray | null;
  if (method === 'GET' && route === '/users') return { operation: 'listUsers', params: [], family: 'users' };
  if (method === 'GET' && (m = /^\/users\/([^/]+)\/manager$/.exec(route)))
    return { operation: 'getManager', params: [m[1] ?? ''], family: 'users' };
  if ((m = TEAM_MEMBERS.exec(route))) {
    const params = [m[1] ?? '', m[2] ?? ''];
    if (m[2] === undefined) {
      if (method === 'POST') return { operation: 'addTeamMember', params, family: 'teams' };
      if (method === 'GET') return { operation: 'listTeamMembers', params, family: 'teams' };
    } else {
      if (method === 'GET') return { operation: 'getTeamMember', params, family: 'teams' };
      if (method === 'DELETE') return { operation: 'removeTeamMember', params, family: 'teams' };
    }
  }
  if ((m = TAP_METHODS.exec(route))) {
    const params = [m[1] ?? '', m[2] ?? ''];
    if (m[2] === undefined) {
      if (method === 'POST') return { operation: 'createAccessPass', params, family: 'authentication' };
      if (method === 'GET') return { operation: 'listAccessPasses', params, family: 'authentication' };
    } else {
      if (method === 'GET') return { operation: 'getAccessPass', params, family: 'authentication' };
      if (method === 'DELETE') return { operation: 'deleteAccessPass', params, family: 'authentication' };
    }
  }
  if (method === 'GET' && TAP_POLICY.test(route))
    return { operation: 'getAccessPassPolicy', params: [], family: 'authentication' };
  if ((m = /^\/users\/([^/]+)$/.exec(route))) {
    if (method === 'GET') return { operation: 'getUser', params: [m[1] ?? ''], family: 'users' };
    if (method === 'PATCH') return { operation: 'updateUser', params: [m[1] ?? ''], family: 'users' };
  }
  if (method === 'POST' && (m = /^\/users\/([^/]+)\/assignLicense$/.exec(route)))
    return { operation: 'assignLicense', params: [m[1] ?? ''], family: 'licenses' };
  if (method === 'GET' && (m = /^\/groups\/([^/]+)$/.exec(route)))
    return { operation: 'getGroup', params: [m[1] ?? ''], family: 'groups' };
  if (method === 'POST' && (m = /^\/groups\/([^/]+)\/members\/\$ref$/.exec(route)))
    return { operation: 'addMember', params: [m[1] ?? ''], family: 'groups' };
  if (method === 'DELETE' && (m = /^\/groups\/([^/]+)\/members\/([^/]+)\/\$ref$/.exec(route)))
    return { operation: 'removeMember', params: [m[1] ?? '', m[2] ?? ''], family: 'groups' };
  if (method === 'GET' && route === '/subscribedSkus')
    return { operation: 'listSubscribedSkus', params: [], family: 'licenses' };
  if (method === 'GET' && route === AUTOPILOT)
    return { operation: 'listAutopilotDevices', params: [], family: 'deviceManagement' };
  if (
    method === 'POST' &&
    (m =
      /^\/deviceManagement\/windowsAutopilotDeviceIdentities\/([^/]+)\/(assignUserToDevice|unassignUserFromDevice)$/.exec(
        route,
      ))
  )
    return {
      operation: m[2] === 'assignUserToDevice' ? 'assignUserToDevice' : 'unassignUserFromDevice',
      params: [m[1] ?? ''],
      family: 'deviceManagement',
    };
  return null;
}

/** The operation Graph's `method` and `path` (under /v1.0) are, as this tenant routes them; undefined if it serves none. */
export function graphOperationOf(method: string, path: string): GraphOperation | undefined {
  return callOf(method, path)?.operation;
}

/** The operator's view of the tenant (GET /.local/simulated-tenant): never a Temporary Access Pass itself. */
export interface OperatorView extends Omit<SimulatedTenantState, 'users' | 'teams' | 'accessPasses'> {
  users: {
    id: string;
    userPrincipalName: string;
    displayName: string | null;
    employeeId: string | null;
    department: string | null;
    officeLocation: string | null;
    usageLocation: string | null;
    /** The manager's object id, or null. */
    manager: string | null;
    licenses: string[];
  }[];
  vpnGroup: { id: string; members: string[] };
  teams: { id: string; displayName: string; members: string[] }[];
  licences: { skuId: string; skuPartNumber: string; prepaidUnits: number; consumedUnits: number }[];
  accessPasses: {
    userId: string;
    startDateTime: string;
    lifetimeInMinutes: number;
    isUsableOnce: boolean;
    createdAt: string;
  }[];
}

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
    teams: 0,
    authentication: 0,
    token: 0,
  };
  readonly answeredWith: Record<number, number> = {};

  /** What the throttle has admitted so far (a later `lowerBoundMs(since)` bounds the calls admitted after it). */
  throttleMark(): ThrottleMark {
    const t = this.throttle;
    return { consumed: { ...(t?.consumed ?? {}) }, perTeam: new Map(t?.consumedPerTeam ?? []) };
  }

  /**
   * The shortest time the calls admitted so far (or since `since`, with the buckets full again then) could have
   * taken under the limits (ms): for each budget, what was taken beyond a full bucket at the start, at the rate
   * it refills; the longest of them.
   */
  lowerBoundMs(since?: ThrottleMark): number {
    const t = this.throttle;
    if (!t) return 0;
    const { identity, intune } = t.limits;
    const teams = t.teamsLimits;
    const used = (k: keyof GraphThrottle['consumed']) => t.consumed[k] - (since?.consumed[k] ?? 0);
    const bound = (calls: number, capacity: number, windowMs: number) =>
      (Math.max(0, calls - capacity) * windowMs) / capacity;
    return Math.max(
      bound(used('resourceUnits'), identity.resourceUnits, identity.windowMs),
      bound(used('writes'), identity.writes, identity.writeWindowMs),
      bound(used('intune'), intune.requests, intune.windowMs),
      bound(used('intuneWrites'), intune.writes, intune.windowMs),
      // Teams calls at the rate of "other calls" (member reads may go twice as fast; a bound, not an estimate).
      bound(used('teams'), teams.requests, teams.windowMs),
      // and the calls on one team at that team's own rate (4 a second on a given team).
      ...[...t.consumedPerTeam].map(([team, calls]) =>
        bound(calls - (since?.perTeam.get(team) ?? 0), teams.perTeam, teams.windowMs),
      ),
    );
  }

  private readonly directory: Directory;
  private readonly licences: Licences;
  /** Teams membership (local/simulated-tenant/teams.ts). */
  private readonly teamsMembership: Teams;
  /** Temporary Access Passes (local/simulated-tenant/authentication-methods.ts). */
  private readonly accessPasses = new AccessPasses();
  private readonly autopilot = new Autopilot({
    assignmentDelayMs: () => this.options.autopilotAssignmentDelayMs ?? 0,
    pageSize: () => this.options.autopilotPageSize ?? 100,
  });
  private readonly faults = new Map<GraphOperation, InjectedFault>();
  private readonly delays = new Map<GraphOperation, number>();
  private readonly signingSecret = randomBytes(32);
  private readonly tokens: TokenEndpoint;
  private readonly random: () => number;
  private throttle: GraphThrottle | null;
  private server?: Server;
  private baseUrl = '';
  /** The DSI's Teams channel, reached through its Workflows webhook (local/simulated-tenant/teams-workflow.ts). */
  readonly teams: TeamsWorkflowChannel;

  constructor(
    private options: SimulatedTenantOptions = {},
    /** Where changes are written down (the local host's journal); a Graph answer waits until they are. */
    private readonly journal?: TenantJournal,
  ) {
    this.vpnGroupId = options.vpnGroupId ?? DEFAULT_VPN_GROUP_ID;
    this.directory = new Directory(new Set(options.verifiedDomains ?? DEFAULT_VERIFIED_DOMAINS), () => ({
      syncDelayMs: this.options.userSyncDelayMs ?? 0,
      replicationLagMs: this.options.replicationLagMs ?? 0,
    }));
    this.directory.groups.set(this.vpnGroupId, { members: new Set(), licenses: [] });
    this.licences = new Licences(this.directory);
    this.teamsMembership = new Teams(
      this.directory,
      this.tenantId,
      {
        replicationLagMs: () => this.options.replicationLagMs ?? 0,
        pageSize: () => this.options.teamMembersPageSize ?? 100,
      },
      (user) => this.directory.licenseStates(user).length > 0,
    );
    this.accessPasses.policy = { ...DEFAULT_ACCESS_PASS_POLICY, ...options.accessPassPolicy };
    for (const sku of options.skus ?? [{ ...DEFAULT_SKU, seats: 1000 }]) {
      this.licences.skus.set(sku.skuId, { skuPartNumber: sku.skuPartNumber, seats: sku.seats });
    }
    for (const serial of options.unregisteredSerials ?? []) this.autopilot.unregistered.add(serial);
    this.random = mulberry32(options.seed ?? 20200316);
    this.tokens = new TokenEndpoint(
      this,
      this.signingSecret,
      () => this.options.grantedPermissions ?? GRAPH_APPLICATION_PERMISSIONS,
    );
    this.throttle = this.newThrottle();
    this.teams = new TeamsWorkflowChannel((card, index) => this.journal?.append({ op: 'teams-card', index, card }));
  }

  /** The Teams channel's webhook URL (a secret, as in Azure: it carries its signature). */
  get teamsWebhookUrl(): string {
    return this.teams.webhookUrl(this.baseUrl);
  }

  /** The cards the Teams channel received, in order. */
  get teamsCards(): readonly ReceivedTeamsCard[] {
    return this.teams.received;
  }

  private newThrottle(): GraphThrottle | null {
    const limits = this.options.limits === undefined ? DOCUMENTED_LIMITS : this.options.limits;
    return limits ? new GraphThrottle(limits, { tenantId: this.tenantId, appId: this.clientId }, Date.now()) : null;
  }

  // ---- control (the local host and tests) ----

  /** The Graph v1.0 base URL, e.g. https://127.0.0.1:PORT/v1.0. */
  get graphBaseUrl(): string {
    return `${this.baseUrl}/v1.0`;
  }

  /** The authority host for the client-credentials grant. */
  get authorityHost(): string {
    return this.baseUrl;
  }

  configure(
    changes: Partial<
      Pick<
        SimulatedTenantOptions,
        | 'limits'
        | 'failureRate'
        | 'latencyMs'
        | 'userSyncDelayMs'
        | 'replicationLagMs'
        | 'autopilotAssignmentDelayMs'
        | 'autopilotPageSize'
        | 'teamMembersPageSize'
        | 'usersPageSize'
        | 'accessPassPolicy'
      >
    >,
  ): void {
    this.options = { ...this.options, ...changes };
    if ('limits' in changes) this.throttle = this.newThrottle();
    if (changes.accessPassPolicy)
      this.accessPasses.policy = { ...this.accessPasses.policy, ...changes.accessPassPolicy };
  }

  /**
   * The Région's directory at a first start (options.region; local/simulated-tenant/region.ts): the agents in post
   * with their licence (`licenseSkuId`, whose seats grow by as many: the seats free stay as configured), managers,
   * Autopilot identities assigned to them, VPN membership and one team per department. Written to the journal as
   * one record. Call it only when no state was restored: a restart keeps what the tenant became.
   */
  seedRegion(licenseSkuId: string = DEFAULT_SKU.skuId): void {
    const options = this.options.region;
    if (!options || regionFigures(options).agents === 0) return;
    // Once: a tenant that was seeded (or restored from one that was) is not seeded over again.
    if (this.effects.some((e) => e.kind === 'directory-seeded')) return;
    const seed = regionSeed(options);
    const sku = this.licences.skus.get(licenseSkuId);
    if (!sku) throw new Error(`no SKU ${licenseSkuId} to license the agents in post with`);
    for (const a of seed.agents) {
      this.directory.restore({
        id: a.id,
        userPrincipalName: a.userPrincipalName,
        givenName: a.givenName,
        surname: a.surname,
        displayName: a.displayName,
        usageLocation: 'FR',
        employeeId: a.employeeId,
        department: a.department,
        officeLocation: a.site,
        jobTitle: a.jobTitle,
        managerId: a.managerId,
        licenses: [licenseSkuId],
      });
    }
    sku.seats += seed.agents.length;
    const vpn = this.directory.groups.get(this.vpnGroupId);
    for (const id of seed.vpnMembers) vpn?.members.add(id);
    for (const d of [...seed.laptops, ...seed.desktops]) {
      this.autopilot.register({
        serialNumber: d.serialNumber,
        model: d.model,
        manufacturer: d.manufacturer,
        userPrincipalName: d.userPrincipalName,
        addressableUserName: d.displayName,
      });
    }
    for (const t of seed.teams) {
      this.teamsMembership.put({
        id: t.id,
        displayName: t.displayName,
        description: t.description,
        members: t.members,
      });
    }
    const group = this.directory.groups.get(this.vpnGroupId);
    this.journal?.append({
      op: 'seed',
      users: seed.agents.map((a) => this.storedUser(a.id)).filter((u): u is StoredUserState => u !== undefined),
      groups: group ? { [this.vpnGroupId]: { members: [...group.members], licenses: [...group.licenses] } } : {},
      teams: seed.teams.map((t) => this.teamsMembership.state(t.id)).filter((t): t is TeamState => t !== undefined),
      autopilot: [...seed.laptops, ...seed.desktops]
        .map((d) => this.autopilot.identities.get(d.serialNumber))
        .filter((a): a is NonNullable<typeof a> => a !== undefined),
      seats: { [licenseSkuId]: sku.seats },
    });
    this.effect(
      'directory-seeded',
      'tenant',
      `${seed.agents.length} agents in post, ${seed.laptops.length} laptops, ${seed.desktops.length} desktops, ` +
        `${seed.vpnMembers.length} VPN members, ${seed.teams.length} teams`,
    );
  }

  /** Department (a team's display name) → the team's group id: what `Provisioning__departmentTeams` takes. */
  departmentTeams(): Record<string, string> {
    return this.teamsMembership.byDisplayName();
  }

  /** The object ids of a team's members (tests, the operator view). */
  teamMembers(teamId: string): string[] {
    return this.teamsMembership.state(teamId)?.members.map((m) => m.userId) ?? [];
  }

  /** A user's Temporary Access Pass as the tenant keeps it (never the pass itself), or undefined. */
  accessPassOf(upn: string): AccessPassState | undefined {
    const id = this.userId(upn);
    return id === undefined ? undefined : this.accessPasses.of(id);
  }

  /**
   * A sign-in with a Temporary Access Pass (tests: the pass an API answered is the one Graph issued): true when it
   * is the user's current pass and usable at `at` (default now); a one-time pass is spent by it.
   */
  signInWithAccessPass(upn: string, pass: string, at = Date.now()): boolean {
    const id = this.userId(upn);
    if (id === undefined || !this.accessPasses.signIn(id, pass, at)) return false;
    this.journal?.append({ op: 'access-pass', userId: id, pass: this.accessPasses.of(id) ?? null });
    return true;
  }

  /**
   * HR-driven provisioning (Entra ID's inbound provisioning, or Entra Connect from the HR directory):
   * the account of a hired agent appears after the sync delay, in a verified domain only. False: the
   * tenant cannot hold this upn (a mistyped domain), and no account will ever appear.
   */
  provisionFromHr(employee: { userPrincipalName: string; givenName?: string; surname?: string }): boolean {
    const known = this.directory.users.has(employee.userPrincipalName.toLowerCase());
    const ok = this.directory.provision(employee, Date.now());
    const user = this.directory.users.get(employee.userPrincipalName.toLowerCase());
    if (ok && !known && user) {
      this.putUser(user);
      this.effect('user-provisioned', user.id, 'hr');
    }
    return ok;
  }

  /** Group-based licensing: members of `groupId` inherit `skuId` (the group is created if needed). */
  licenseGroup(groupId: string, skuId: string): void {
    const group = this.directory.groups.get(groupId) ?? { members: new Set<string>(), licenses: [] };
    if (!group.licenses.includes(skuId)) group.licenses.push(skuId);
    this.directory.groups.set(groupId, group);
    this.putGroup(groupId);
  }

  /** Adds a user to a group outside the connectors (an administrator in the portal). */
  addToGroup(groupId: string, upn: string): void {
    const id = this.userId(upn);
    const group = this.directory.groups.get(groupId);
    if (!id || !group) throw new Error(`no user ${upn} or group ${groupId}`);
    group.members.add(id);
    this.putGroup(groupId);
  }

  /** Autopilot will not know this serial (a device the OEM never registered). */
  unregisterSerial(serialNumber: string): void {
    this.autopilot.unregistered.add(serialNumber);
    this.autopilot.forget(serialNumber);
  }

  setSeats(skuId: string, seats: number): void {
    const sku = this.licences.skus.get(skuId);
    if (!sku) throw new Error(`no SKU ${skuId}`);
    sku.seats = seats;
    this.journal?.append({ op: 'seats', skuId, seats });
  }

  /** The next call of `operation` is answered `ms` later (its effect lands then): to stage races. */
  delayNext(operation: GraphOperation, ms: number): void {
    this.delays.set(operation, ms);
  }

  injectFault(operation: GraphOperation, fault: InjectedFault | null): void {
    if (fault) this.faults.set(operation, fault);
    else this.faults.delete(operation);
  }

  effectsOf(kind: EffectKind): Effect[] {
    return this.effects.filter((e) => e.kind === kind);
  }

  userId(upn: string): string | undefined {
    return this.directory.users.get(upn.toLowerCase())?.id;
  }

  /** A user as Graph would show it with every property selected (tests), or undefined. */
  user(upn: string): Record<string, unknown> | undefined {
    const u = this.directory.users.get(upn.toLowerCase());
    return (
      u &&
      this.directory.view(u, [
        'id',
        'userPrincipalName',
        'usageLocation',
        'assignedLicenses',
        'licenseAssignmentStates',
      ])
    );
  }

  isVpnMember(upn: string): boolean {
    const id = this.userId(upn);
    return id !== undefined && (this.directory.groups.get(this.vpnGroupId)?.members.has(id) ?? false);
  }

  hasLicense(upn: string, skuId = DEFAULT_SKU.skuId): boolean {
    const u = this.directory.users.get(upn.toLowerCase());
    return u !== undefined && this.directory.holdsLicense(u, skuId);
  }

  consumedUnits(skuId: string): number {
    return this.licences.consumedUnits(skuId);
  }

  /** The user the Autopilot identity of `serialNumber` shows now ('' when none): what Intune has applied. */
  deviceUser(serialNumber: string): string | undefined {
    return this.autopilot.userOf(serialNumber, Date.now());
  }

  /** Registers Autopilot identities (the OEM's upload of a delivery), as a list finds them, in this order. */
  registerDevices(serialNumbers: string[]): void {
    for (const serial of serialNumbers) this.autopilot.identity(serial);
  }

  /** What the tenant holds, to be restored by the next local host. */
  snapshot(): SimulatedTenantState {
    return {
      users: [...this.directory.users.values()].map((u) => this.userState(u)),
      groups: Object.fromEntries(
        [...this.directory.groups].map(([g, v]) => [g, { members: [...v.members], licenses: [...v.licenses] }]),
      ),
      seats: Object.fromEntries([...this.licences.skus].map(([id, sku]) => [id, sku.seats])),
      // As Intune will show them: what it accepted is applied by the time a restart reads it.
      autopilot: [...this.autopilot.identities.values()].map((a) => this.autopilot.eventual(a)),
      effects: this.effects.map((e) => ({ ...e })),
      teamsCards: this.teams.received.map((c) => ({ ...c })),
      teams: this.teamsMembership.all(),
      accessPasses: this.accessPasses.all(),
    };
  }

  /**
   * The operator's view (GET /.local/simulated-tenant): the users with their department and manager (its object
   * id), the VPN group's and each team's members, the licences, Autopilot assignments, the Temporary Access Passes
   * (never the pass itself) and the ledger of every change.
   */
  operatorView(): OperatorView {
    const state = this.snapshot();
    return {
      ...state,
      users: state.users.map((u) => ({
        id: u.id,
        userPrincipalName: u.userPrincipalName,
        displayName: u.displayName,
        employeeId: u.employeeId,
        department: u.department,
        officeLocation: u.officeLocation,
        usageLocation: u.usageLocation,
        manager: u.managerId,
        licenses: u.licenses,
      })),
      vpnGroup: { id: this.vpnGroupId, members: state.groups[this.vpnGroupId]?.members ?? [] },
      teams: state.teams.map((t) => ({
        id: t.id,
        displayName: t.displayName,
        members: t.members.map((m) => m.userId),
      })),
      licences: [...this.licences.skus].map(([skuId, sku]) => ({
        skuId,
        skuPartNumber: sku.skuPartNumber,
        prepaidUnits: sku.seats,
        consumedUnits: this.licences.consumedUnits(skuId),
      })),
      accessPasses: state.accessPasses.map((p) => ({
        userId: p.userId,
        startDateTime: p.startDateTime,
        lifetimeInMinutes: p.lifetimeInMinutes,
        isUsableOnce: p.isUsableOnce,
        createdAt: p.createdDateTime,
      })),
    };
  }

  restore(state: SimulatedTenantState): void {
    for (const u of state.users) this.directory.restore(u);
    for (const [group, v] of Object.entries(state.groups)) {
      this.directory.groups.set(group, { members: new Set(v.members), licenses: [...v.licenses] });
    }
    for (const [skuId, seats] of Object.entries(state.seats)) {
      const sku = this.licences.skus.get(skuId);
      if (sku) sku.seats = seats;
    }
    for (const a of state.autopilot) this.autopilot.register(a);
    for (const t of state.teams) this.teamsMembership.put(t);
    for (const p of state.accessPasses) this.accessPasses.put(p);
    this.effects.splice(0, this.effects.length, ...state.effects);
    this.teams.restore(state.teamsCards);
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
    const tokenPath = /^\/([^/]+)\/(v2\.0\/\.well-known\/openid-configuration|oauth2\/v2\.0\/token)$/.exec(
      url.pathname,
    );
    if (url.pathname === this.teams.path) {
      const { status, body, headers } = this.teams.handle(method, url, raw);
      // What the channel took is kept: the answer waits until it is on disk.
      if (status === 202) await this.journal?.flush();
      this.answer(res, status, body === '' ? undefined : body, headers);
      return;
    }
    if (tokenPath) {
      this.requestCounts.token += 1;
      try {
        const tenant = tokenPath[1] ?? '';
        const body = tokenPath[2]?.startsWith('oauth2')
          ? await this.tokens.token(tenant, raw)
          : this.tokens.discovery(this.baseUrl, tenant);
        this.answer(res, 200, body);
      } catch (err) {
        if (err instanceof OAuthError) this.answer(res, err.status, err.body());
        else this.answer(res, 500, { error: 'server_error', error_description: String(err) });
      }
      return;
    }
    let headers: Record<string, string> = {};
    try {
      if (!url.pathname.startsWith('/v1.0/'))
        throw new GraphHttpError(400, 'BadRequest', `Resource not found for the segment '${url.pathname}'.`);
      const route = url.pathname.slice('/v1.0'.length);
      const call = callOf(method, route);
      if (!call) throw new GraphHttpError(400, 'BadRequest', `Resource not found for the segment '${route}'.`);
      this.requestCounts[call.family] += 1;
      const roles = await this.authenticate(req.headers.authorization);
      if (!GRAPH_OPERATIONS[call.operation].accepted.some((p) => roles.has(p))) {
        throw new GraphHttpError(
          403,
          'Authorization_RequestDenied',
          'Insufficient privileges to complete the operation.',
        );
      }
      if ((this.options.latencyMs ?? 0) > 0) await new Promise((r) => setTimeout(r, this.options.latencyMs));
      const select = url.searchParams.get('$select');
      headers =
        this.throttle?.admit(
          call.operation,
          {
            selected: select !== null,
            expanded: url.searchParams.has('$expand'),
            ...(call.family === 'teams' ? { team: call.params[0] ?? '' } : {}),
          },
          Date.now(),
        ) ?? {};
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
      const fault = this.faults.get(call.operation);
      if (fault) throw new GraphHttpError(fault.status, fault.code, fault.message);
      const body = raw ? (JSON.parse(raw) as unknown) : undefined;
      const delay = this.delays.get(call.operation);
      if (delay !== undefined) {
        this.delays.delete(call.operation);
        await new Promise((r) => setTimeout(r, delay));
      }
      const [status, payload] = this.execute(call, url.searchParams, body, roles);
      // What the tenant acknowledges is kept: the answer waits until its change is on disk.
      await this.journal?.flush();
      this.answer(res, status, payload, headers);
    } catch (err) {
      const clientRequestId = req.headers['client-request-id'];
      const id = typeof clientRequestId === 'string' ? clientRequestId : undefined;
      if (err instanceof GraphHttpError) this.answer(res, err.status, err.body(id), { ...headers, ...err.headers });
      else if (err instanceof SyntaxError)
        this.answer(res, 400, badRequest('Unable to read JSON request payload.', 'BadRequest').body(id), headers);
      else this.answer(res, 500, new GraphHttpError(500, 'generalException', String(err)).body(id), headers);
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

  private effect(kind: EffectKind, target: string, detail: string): void {
    const effect = { kind, target, detail, at: new Date().toISOString() };
    this.effects.push(effect);
    this.journal?.append({ op: 'effect', index: this.effects.length - 1, effect });
  }

  /** A user as the tenant's state keeps it. */
  private userState(u: TenantUser): StoredUserState {
    return {
      id: u.id,
      userPrincipalName: u.userPrincipalName,
      givenName: u.givenName,
      surname: u.surname,
      displayName: u.displayName,
      usageLocation: u.usageLocation,
      employeeId: u.employeeId,
      department: u.department,
      officeLocation: u.officeLocation,
      jobTitle: u.jobTitle,
      managerId: u.managerId,
      licenses: [...u.directLicenses],
    };
  }

  private storedUser(id: string): StoredUserState | undefined {
    const u = this.directory.byObjectId(id);
    return u && this.userState(u);
  }

  private putUser(u: TenantUser): void {
    this.journal?.append({ op: 'user', user: this.userState(u) });
  }

  private putTeam(teamId: string): void {
    const team = this.teamsMembership.state(teamId);
    if (team) this.journal?.append({ op: 'team', team });
  }

  private putAccessPass(userId: string): void {
    this.journal?.append({ op: 'access-pass', userId, pass: this.accessPasses.of(userId) ?? null });
  }

  private putGroup(id: string): void {
    const group = this.directory.groups.get(id);
    if (group) this.journal?.append({ op: 'group', id, members: [...group.members], licenses: [...group.licenses] });
  }

  private select(query: URLSearchParams): string[] | null {
    const select = query.get('$select');
    return select === null
      ? null
      : select
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
  }

  private group(id: string) {
    const group = this.directory.groups.get(id);
    if (!group) throw resourceNotFound(id);
    return group;
  }

  /** `$skiptoken` of a page after the first (the offset it starts at). */
  private skip(query: URLSearchParams): number {
    const token = query.get('$skiptoken');
    const skip = token === null ? 0 : Number.parseInt(token, 10);
    if (!Number.isInteger(skip) || skip < 0) throw badRequest(`Invalid $skiptoken: ${token ?? ''}`, 'BadRequest');
    return skip;
  }

  /** The next page's link: the same query with the `$skiptoken` of where it starts. */
  private nextLink(path: string, query: URLSearchParams, skip: number): string {
    const next = new URLSearchParams(query);
    next.set('$skiptoken', String(skip));
    return `${this.graphBaseUrl}${path}?${next.toString()}`;
  }

  /**
   * A user's manager chain as `$expand=manager`, `manager($select=…)` or `manager($levels=n|max;$select=…)` asks
   * it (https://learn.microsoft.com/graph/api/user-list-manager): absent when the user has no manager.
   */
  private expandManager(user: TenantUser, expand: string, now: number): Record<string, unknown> {
    const m = /^manager(?:\((.*)\))?$/i.exec(expand.trim());
    if (!m)
      throw badRequest(`Could not find a property named '${expand}' on type 'microsoft.graph.user'.`, 'BadRequest');
    const options = new Map(
      (m[1] ?? '')
        .split(';')
        .filter(Boolean)
        .map((o) => {
          const [k = '', v = ''] = o.split('=');
          return [k.trim().toLowerCase(), v.trim()] as const;
        }),
    );
    const levels = options.get('$levels');
    const depth = levels === undefined ? 1 : levels === 'max' ? 1000 : Number.parseInt(levels, 10);
    if (!Number.isInteger(depth) || depth < 1 || depth > 1000)
      throw badRequest(`Invalid $levels: ${levels ?? ''}`, 'BadRequest');
    const select =
      options
        .get('$select')
        ?.split(',')
        .map((p) => p.trim())
        .filter(Boolean) ?? null;
    const chain = (u: TenantUser, left: number, seen: Set<string>): Record<string, unknown> => {
      let manager: TenantUser | undefined;
      try {
        manager = this.directory.manager(u, now);
      } catch {
        return {};
      }
      if (seen.has(manager.id)) return {};
      const view = { '@odata.type': '#microsoft.graph.user', ...this.directory.view(manager, select) };
      return { manager: left > 1 ? { ...view, ...chain(manager, left - 1, new Set([...seen, manager.id])) } : view };
    };
    return chain(user, depth, new Set([user.id]));
  }

  private execute(call: Call, query: URLSearchParams, body: unknown, roles: ReadonlySet<string>): [number, unknown] {
    const now = Date.now();
    const [p0 = '', p1 = ''] = call.params;
    const context = (what: string) => `${this.graphBaseUrl}/$metadata#${what}`;
    switch (call.operation) {
      case 'getUser': {
        const user = this.directory.find(p0, now);
        const expand = query.get('$expand');
        return [
          200,
          {
            '@odata.context': context('users/$entity'),
            ...this.directory.view(user, this.select(query)),
            ...(expand === null ? {} : this.expandManager(user, expand, now)),
          },
        ];
      }
      case 'listUsers': {
        const skip = this.skip(query);
        const matches = this.directory.filter(query.get('$filter'), now);
        const top = query.get('$top');
        const size = top === null ? (this.options.usersPageSize ?? 100) : Number.parseInt(top, 10);
        if (!Number.isInteger(size) || size < 1 || size > 999)
          throw badRequest(`Invalid $top: ${top ?? ''}`, 'BadRequest');
        const select = this.select(query);
        const value = matches.slice(skip, skip + size).map((u) => this.directory.view(u, select));
        return [
          200,
          {
            '@odata.context': context('users'),
            value,
            ...(skip + size < matches.length ? { '@odata.nextLink': this.nextLink('/users', query, skip + size) } : {}),
          },
        ];
      }
      case 'getManager': {
        const manager = this.directory.manager(this.directory.find(p0, now), now);
        return [
          200,
          {
            '@odata.context': context('directoryObjects/$entity'),
            '@odata.type': '#microsoft.graph.user',
            ...this.directory.view(manager, this.select(query)),
          },
        ];
      }
      case 'addTeamMember': {
        const added = this.teamsMembership.add(p0, body, now, roles.has('TeamMember.ReadWrite.All'));
        if (added.created) {
          this.putTeam(p0);
          this.effect('team-member-added', added.userId, added.unlicensed ? `${p0} unlicensed` : p0);
        }
        return [201, { '@odata.context': context(`teams('${p0}')/members/$entity`), ...added.member }];
      }
      case 'listTeamMembers': {
        const skip = this.skip(query);
        const page = this.teamsMembership.list(
          p0,
          { filter: query.get('$filter'), select: this.select(query), skip },
          now,
        );
        return [
          200,
          {
            '@odata.context': context(`teams('${p0}')/members`),
            '@odata.count': page.count,
            value: page.value,
            ...(page.more
              ? { '@odata.nextLink': this.nextLink(`/teams/${p0}/members`, query, skip + page.value.length) }
              : {}),
          },
        ];
      }
      case 'getTeamMember':
        return [
          200,
          {
            '@odata.context': context(`teams('${p0}')/members/$entity`),
            ...this.teamsMembership.get(p0, p1, this.select(query), now),
          },
        ];
      case 'removeTeamMember': {
        const userId = this.teamsMembership.remove(p0, p1, roles.has('TeamMember.ReadWrite.All'));
        this.putTeam(p0);
        this.effect('team-member-removed', userId, p0);
        return [204, undefined];
      }
      case 'createAccessPass': {
        const user = this.directory.find(p0, now);
        const { method, state, replaced } = this.accessPasses.create(user.id, body, now);
        if (replaced) this.effect('access-pass-deleted', user.id, `${replaced.id} (replaced)`);
        this.putAccessPass(user.id);
        // The ledger says who got a pass and its validity, never the pass.
        this.effect(
          'access-pass-created',
          user.id,
          `${state.id} from ${state.startDateTime} for ${state.lifetimeInMinutes} min${state.isUsableOnce ? ', usable once' : ''}`,
        );
        return [
          201,
          {
            '@odata.context': context(`users('${user.id}')/authentication/temporaryAccessPassMethods/$entity`),
            ...method,
          },
        ];
      }
      case 'listAccessPasses': {
        const user = this.directory.find(p0, now);
        const pass = this.accessPasses.of(user.id);
        return [
          200,
          {
            '@odata.context': context(`users('${user.id}')/authentication/temporaryAccessPassMethods`),
            value: pass ? [this.accessPasses.view(pass, now)] : [],
          },
        ];
      }
      case 'getAccessPass': {
        const user = this.directory.find(p0, now);
        return [
          200,
          {
            '@odata.context': context(`users('${user.id}')/authentication/temporaryAccessPassMethods/$entity`),
            ...this.accessPasses.view(this.accessPasses.get(user.id, p1), now),
          },
        ];
      }
      case 'deleteAccessPass': {
        const user = this.directory.find(p0, now);
        const deleted = this.accessPasses.delete(user.id, p1);
        this.putAccessPass(user.id);
        this.effect('access-pass-deleted', user.id, deleted.id);
        return [204, undefined];
      }
      case 'getAccessPassPolicy':
        return [
          200,
          {
            '@odata.context': context('authenticationMethodConfigurations/$entity'),
            ...this.accessPasses.policyView(),
          },
        ];
      case 'updateUser': {
        const user = this.directory.find(p0, now);
        const changed = this.directory.update(user, body, now);
        if (changed.length > 0) {
          this.putUser(user);
          this.effect('user-updated', user.id, changed.join(','));
        }
        return [204, undefined];
      }
      case 'getGroup': {
        // A team is a Microsoft 365 group whose resourceProvisioningOptions holds "Team"; the VPN group is a
        // security group (https://learn.microsoft.com/graph/api/group-get, https://learn.microsoft.com/graph/api/resources/group).
        const team = this.teamsMembership.state(p0);
        const group = team
          ? {
              id: team.id,
              displayName: team.displayName,
              description: team.description,
              groupTypes: ['Unified'],
              mailEnabled: true,
              securityEnabled: false,
              visibility: 'Private',
              resourceProvisioningOptions: ['Team'],
            }
          : this.directory.groups.has(p0)
            ? {
                id: p0,
                displayName: p0 === this.vpnGroupId ? 'VPN' : p0,
                description: null,
                groupTypes: [],
                mailEnabled: false,
                securityEnabled: true,
                visibility: null,
                resourceProvisioningOptions: [],
              }
            : undefined;
        if (!group) throw resourceNotFound(p0);
        const select = this.select(query);
        const view = select
          ? Object.fromEntries(select.filter((k) => k in group).map((k) => [k, group[k as keyof typeof group]]))
          : group;
        return [200, { '@odata.context': context('groups/$entity'), ...view }];
      }
      case 'addMember': {
        const members = this.group(p0).members;
        const ref = (body as { '@odata.id'?: unknown } | undefined)?.['@odata.id'];
        const userId = typeof ref === 'string' ? /directoryObjects\/([^/]+)$/.exec(ref)?.[1] : undefined;
        if (!userId) throw badRequest('Invalid object identifier.');
        const user: TenantUser = this.directory.resolve(userId, now);
        if (members.has(user.id)) {
          throw badRequest(
            "One or more added object references already exist for the following modified properties: 'members'.",
          );
        }
        members.add(user.id);
        this.putGroup(p0);
        this.effect('member-added', user.id, p0);
        return [204, undefined];
      }
      case 'removeMember': {
        const members = this.group(p0).members;
        const user = this.directory.resolve(p1, now);
        if (!members.has(user.id)) {
          throw badRequest(
            "One or more removed object references do not exist for the following modified properties: 'members'.",
          );
        }
        members.delete(user.id);
        this.putGroup(p0);
        this.effect('member-removed', user.id, p0);
        return [204, undefined];
      }
      case 'listSubscribedSkus': {
        if (query.has('$filter'))
          throw badRequest("Query option '$filter' is not supported.", 'Request_UnsupportedQuery');
        const select = this.select(query);
        const value = this.licences
          .subscribedSkus()
          .map((s) => (select ? Object.fromEntries(select.filter((k) => k in s).map((k) => [k, s[k]])) : s));
        return [200, { '@odata.context': context('subscribedSkus'), value }];
      }
      case 'assignLicense': {
        const user = this.directory.find(p0, now);
        const { added, removed } = this.licences.assign(user, body, now);
        if (added.length + removed.length > 0) this.putUser(user);
        for (const skuId of removed) this.effect('license-removed', user.id, skuId);
        for (const skuId of added) this.effect('license-assigned', user.id, skuId);
        return [200, { '@odata.context': context('users/$entity'), ...this.directory.view(user, null) }];
      }
      case 'listAutopilotDevices': {
        // A page at a time, the next one linked by @odata.nextLink with a $skiptoken, as Graph pages collections
        // (https://learn.microsoft.com/graph/paging).
        const skip = this.skip(query);
        const filter = query.get('$filter');
        const { value, more } = this.autopilot.list(filter, skip, now);
        const next = new URLSearchParams({
          ...(filter === null ? {} : { $filter: filter }),
          $skiptoken: String(skip + value.length),
        });
        return [
          200,
          {
            '@odata.context': context('deviceManagement/windowsAutopilotDeviceIdentities'),
            value,
            ...(more ? { '@odata.nextLink': `${this.graphBaseUrl}${AUTOPILOT}?${next.toString()}` } : {}),
          },
        ];
      }
      case 'assignUserToDevice': {
        const identity = this.autopilot.byId(p0, now);
        const upn = (body as { userPrincipalName?: unknown } | undefined)?.userPrincipalName;
        if (typeof upn !== 'string' || !upn)
          throw new GraphHttpError(400, 'BadRequest', 'userPrincipalName is required.');
        // The user must exist in the directory: Intune resolves the upn.
        const user = this.directory.find(upn, now);
        // The same user again changes nothing (two runs of one step racing, or one that runs again before Intune
        // applied the first): a no-op, not a change.
        if (this.autopilot.intended(identity) === user.userPrincipalName) return [204, undefined];
        const addressable = (body as { addressableUserName?: unknown }).addressableUserName;
        this.autopilot.accept(
          identity,
          user.userPrincipalName,
          typeof addressable === 'string' ? addressable : '',
          now,
        );
        this.journal?.append({ op: 'device', identity: this.autopilot.eventual(identity) });
        this.effect('device-user-assigned', identity.id, user.userPrincipalName);
        return [204, undefined];
      }
      case 'unassignUserFromDevice': {
        const identity = this.autopilot.byId(p0, now);
        if (!this.autopilot.intended(identity)) return [204, undefined];
        this.autopilot.accept(identity, '', '', now);
        this.journal?.append({ op: 'device', identity: this.autopilot.eventual(identity) });
        this.effect('device-user-unassigned', identity.id, identity.serialNumber);
        return [204, undefined];
      }
    }
  }
}
