import { objectIdFor } from '../dev-issuer';
import { badRequest, resourceNotFound } from './graph-errors';

/**
 * Users and groups of the simulated tenant (Microsoft Entra ID through Graph).
 * - An unknown user is 404 Request_ResourceNotFound (https://learn.microsoft.com/graph/api/user-get).
 * - Accounts come in the way they do in a real tenant: HR-driven provisioning creates them from the HR
 *   record, in the tenant's verified domains only, after a sync delay; nobody invents them on lookup.
 * - Entra ID is eventually consistent: an object just created, or a property just changed, can still be
 *   unknown or old to the next call ("Designing for eventual consistency for Microsoft Entra",
 *   https://devblogs.microsoft.com/identity/designing-for-eventual-consistency-for-microsoft-entra/).
 *   A new user is found by GET after the sync delay, and can be referenced (added to a group) a
 *   replication lag later; a new usageLocation is seen by licensing a replication lag after the PATCH.
 * - Without `$select`, a user has its default properties only; `assignedLicenses`, `usageLocation`,
 *   `licenseAssignmentStates`, `employeeId` and `department` come back only when selected
 *   (https://learn.microsoft.com/graph/api/resources/user).
 * - A user has at most one manager, read with GET /users/{id}/manager (404 when there is none) or
 *   `$expand=manager` (https://learn.microsoft.com/graph/api/user-list-manager).
 * - GET /users takes `$filter` with `eq` on `employeeId`, `userPrincipalName`, `mail` and `department` (the
 *   properties' "Supports $filter (eq …)" in the user resource), and pages with `@odata.nextLink`
 *   (https://learn.microsoft.com/graph/api/user-list, https://learn.microsoft.com/graph/paging).
 */
export interface TenantUser {
  id: string;
  userPrincipalName: string;
  givenName: string | null;
  surname: string | null;
  displayName: string | null;
  usageLocation: string | null;
  employeeId: string | null;
  department: string | null;
  /** The site (Graph's officeLocation). */
  officeLocation: string | null;
  jobTitle: string | null;
  /** The manager's object id (Graph's `manager` relationship), or null. */
  managerId: string | null;
  /** Until this instant (a replication lag after a change) licensing still sees `previousUsageLocation`. */
  usageLocationSettlesAt: number;
  previousUsageLocation: string | null;
  /** GET finds the user from this instant (directory sync). */
  visibleAt: number;
  /** References (group members) resolve from this instant (replication). */
  resolvableAt: number;
  directLicenses: Set<string>;
}

export interface TenantGroup {
  members: Set<string>;
  /** Group-based licensing: members inherit these SKUs. */
  licenses: string[];
}

export interface DirectoryTiming {
  syncDelayMs: number;
  replicationLagMs: number;
}

const DEFAULT_PROPERTIES = [
  'businessPhones',
  'displayName',
  'givenName',
  'id',
  'jobTitle',
  'mail',
  'mobilePhone',
  'officeLocation',
  'preferredLanguage',
  'surname',
  'userPrincipalName',
];

/** Properties the connectors may set with PATCH /users/{id}; anything else is refused. */
const UPDATABLE = new Set([
  'usageLocation',
  'displayName',
  'givenName',
  'surname',
  'jobTitle',
  'officeLocation',
  'department',
  'employeeId',
]);

/** The user properties GET /users can `$filter` with `eq` (without advanced query parameters). */
const FILTERABLE = {
  employeeId: 'employeeId',
  userPrincipalName: 'userPrincipalName',
  mail: 'userPrincipalName',
  department: 'department',
} as const;

/** A user as the tenant's state keeps it (without the timing of replication). */
export interface StoredUser {
  id: string;
  userPrincipalName: string;
  givenName: string | null;
  surname: string | null;
  displayName: string | null;
  usageLocation: string | null;
  employeeId?: string | null | undefined;
  department?: string | null | undefined;
  officeLocation?: string | null | undefined;
  jobTitle?: string | null | undefined;
  managerId?: string | null | undefined;
  licenses: string[];
}

export class Directory {
  /** By userPrincipalName (lower case). */
  readonly users = new Map<string, TenantUser>();
  readonly groups = new Map<string, TenantGroup>();
  private readonly byId = new Map<string, TenantUser>();

  constructor(
    readonly verifiedDomains: Set<string>,
    private readonly timing: () => DirectoryTiming,
  ) {}

  /**
   * HR-driven provisioning: the account of a hired agent, in a verified domain, visible after the sync
   * delay. Answers false for a upn the tenant cannot hold (an unverified domain: a mistyped upn).
   */
  provision(employee: { userPrincipalName: string; givenName?: string; surname?: string }, now: number): boolean {
    const upn = employee.userPrincipalName.toLowerCase();
    const domain = upn.split('@')[1] ?? '';
    if (!this.verifiedDomains.has(domain)) return false;
    if (this.users.has(upn)) return true;
    const { syncDelayMs, replicationLagMs } = this.timing();
    const visibleAt = now + syncDelayMs;
    this.put({
      id: objectIdFor(upn),
      userPrincipalName: upn,
      givenName: employee.givenName ?? null,
      surname: employee.surname ?? null,
      displayName: employee.givenName && employee.surname ? `${employee.givenName} ${employee.surname}` : null,
      usageLocation: null,
      employeeId: null,
      department: null,
      officeLocation: null,
      jobTitle: null,
      managerId: null,
      usageLocationSettlesAt: 0,
      previousUsageLocation: null,
      visibleAt,
      resolvableAt: visibleAt + replicationLagMs,
      directLicenses: new Set(),
    });
    return true;
  }

  /** Puts a user (by upn and by id). */
  put(user: TenantUser): void {
    const previous = this.users.get(user.userPrincipalName);
    if (previous) this.byId.delete(previous.id);
    this.users.set(user.userPrincipalName, user);
    this.byId.set(user.id, user);
  }

  /** A user from saved state: found and referenced at once (it was there before the restart). */
  restore(u: StoredUser): void {
    this.put({
      id: u.id,
      userPrincipalName: u.userPrincipalName,
      givenName: u.givenName,
      surname: u.surname,
      displayName: u.displayName,
      usageLocation: u.usageLocation,
      employeeId: u.employeeId ?? null,
      department: u.department ?? null,
      officeLocation: u.officeLocation ?? null,
      jobTitle: u.jobTitle ?? null,
      managerId: u.managerId ?? null,
      usageLocationSettlesAt: 0,
      previousUsageLocation: u.usageLocation,
      visibleAt: 0,
      resolvableAt: 0,
      directLicenses: new Set(u.licenses),
    });
  }

  /** The user as the tenant's state keeps it. */
  stored(u: TenantUser): StoredUser {
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

  /** A user by object id, whatever its timing (the tenant's own bookkeeping). */
  byObjectId(id: string): TenantUser | undefined {
    return this.byId.get(id.toLowerCase());
  }

  private lookup(idOrUpn: string): TenantUser | undefined {
    const key = decodeURIComponent(idOrUpn).toLowerCase();
    return this.users.get(key) ?? this.byId.get(key);
  }

  /** The user's manager as GET /users/{id}/manager finds it: 404 when the user has none. */
  manager(user: TenantUser, now: number): TenantUser {
    const manager = user.managerId ? this.byId.get(user.managerId) : undefined;
    if (!manager || manager.visibleAt > now) throw resourceNotFound('manager');
    return manager;
  }

  /**
   * GET /users?$filter=…: the users matching `<property> eq '<value>'` (one clause, or several joined by `or` on
   * the same property), in a stable order. Anything else is 400, as Graph answers a filter it does not support.
   */
  filter(filter: string | null, now: number): TenantUser[] {
    const visible = [...this.users.values()].filter((u) => u.visibleAt <= now);
    if (filter === null) return visible;
    const clauses = filter.split(/\s+or\s+/i).map((c) => /^\s*(\w+)\s+eq\s+'((?:[^']|'')*)'\s*$/i.exec(c));
    const property = clauses[0]?.[1];
    if (!property || !(property in FILTERABLE) || clauses.some((c) => !c || c[1] !== property)) {
      throw badRequest(`Invalid filter clause: ${filter}`, 'Request_UnsupportedQuery');
    }
    const field = FILTERABLE[property as keyof typeof FILTERABLE];
    const values = new Set(clauses.map((c) => (c?.[2] ?? '').replace(/''/g, "'").toLowerCase()));
    return visible.filter((u) => values.has((u[field] ?? '').toLowerCase()));
  }

  /** GET /users/{id | upn}: 404 until directory sync brought the account. */
  find(idOrUpn: string, now: number): TenantUser {
    const user = this.lookup(idOrUpn);
    if (!user || user.visibleAt > now) throw resourceNotFound(idOrUpn);
    return user;
  }

  /** A user referenced by id (a group member): 404 until replication reached this replica. */
  resolve(id: string, now: number): TenantUser {
    const user = this.lookup(id);
    if (!user || user.resolvableAt > now) throw resourceNotFound(id);
    return user;
  }

  /** The usage location licensing sees now (a change reaches it a replication lag later). */
  usageLocationSeenByLicensing(user: TenantUser, now: number): string | null {
    return now < user.usageLocationSettlesAt ? user.previousUsageLocation : user.usageLocation;
  }

  update(user: TenantUser, body: unknown, now: number): string[] {
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw badRequest('Empty Payload. JSON content expected.');
    const changed: string[] = [];
    for (const [property, value] of Object.entries(body as Record<string, unknown>)) {
      if (!UPDATABLE.has(property)) {
        throw badRequest(`Invalid property '${property}'.`);
      }
      if (property === 'usageLocation') {
        if (value !== null && (typeof value !== 'string' || !/^[A-Z]{2}$/.test(value))) {
          throw badRequest(`Invalid value specified for property 'usageLocation' of resource 'User'.`);
        }
        const location = value;
        if (location !== user.usageLocation) {
          user.previousUsageLocation = this.usageLocationSeenByLicensing(user, now);
          user.usageLocation = location;
          user.usageLocationSettlesAt = now + this.timing().replicationLagMs;
          changed.push(`usageLocation=${String(location)}`);
        }
      } else if (typeof value === 'string' || value === null) {
        (user as unknown as Record<string, unknown>)[property] = value;
        changed.push(property);
      }
    }
    return changed;
  }

  /** The SKUs the user holds, and where each comes from (null: assigned directly; else the group's id). */
  licenseStates(user: TenantUser): { skuId: string; assignedByGroup: string | null }[] {
    const states = [...user.directLicenses].map((skuId) => ({ skuId, assignedByGroup: null as string | null }));
    for (const [groupId, group] of this.groups) {
      if (group.members.has(user.id))
        for (const skuId of group.licenses) states.push({ skuId, assignedByGroup: groupId });
    }
    return states;
  }

  holdsLicense(user: TenantUser, skuId: string): boolean {
    return this.licenseStates(user).some((s) => s.skuId === skuId);
  }

  /** The user as Graph answers it: the default properties, or exactly the selected ones. */
  view(user: TenantUser, select: string[] | null): Record<string, unknown> {
    const states = this.licenseStates(user);
    const all: Record<string, unknown> = {
      businessPhones: [],
      displayName: user.displayName,
      givenName: user.givenName,
      id: user.id,
      jobTitle: user.jobTitle,
      mail: user.userPrincipalName,
      mobilePhone: null,
      officeLocation: user.officeLocation,
      preferredLanguage: null,
      surname: user.surname,
      userPrincipalName: user.userPrincipalName,
      usageLocation: user.usageLocation,
      employeeId: user.employeeId,
      department: user.department,
      assignedLicenses: [...new Set(states.map((s) => s.skuId))].map((skuId) => ({ skuId, disabledPlans: [] })),
      licenseAssignmentStates: states.map((s) => ({
        skuId: s.skuId,
        assignedByGroup: s.assignedByGroup,
        disabledPlans: [],
        state: 'Active',
        error: 'None',
        lastUpdatedDateTime: null,
      })),
    };
    const keys = select ?? DEFAULT_PROPERTIES;
    return Object.fromEntries(keys.filter((k) => k in all).map((k) => [k, all[k]]));
  }
}
