import { createHash } from 'node:crypto';
import { z } from 'zod';
import { badRequest, resourceNotFound } from './graph-errors';

/**
 * Windows Autopilot device identities (Intune, through Graph): every device the OEM delivered is
 * registered by its serial number, unless marked unregistered; a device is assigned to a user who must
 * exist in the directory (https://learn.microsoft.com/graph/api/resources/intune-enrollment-windowsautopilotdeviceidentity).
 */
export const autopilotIdentitySchema = z.object({
  id: z.string(),
  serialNumber: z.string(),
  model: z.string(),
  manufacturer: z.string(),
  userPrincipalName: z.string(),
  addressableUserName: z.string(),
});
export type AutopilotIdentity = z.infer<typeof autopilotIdentitySchema>;

function guidFrom(text: string): string {
  const h = createHash('sha256').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** A user (or nobody: '') Intune accepted for a device and shows once it has applied it. */
interface PendingAssignment {
  userPrincipalName: string;
  addressableUserName: string;
  appliesAt: number;
}

export interface AutopilotBehaviour {
  /**
   * How long Intune takes to apply an assignUserToDevice or unassignUserFromDevice it accepted: until then the
   * identity still shows the user it had. Intune applies them eventually (its "assigned user" is processed in the
   * background), never at once. Default 0.
   */
  assignmentDelayMs: () => number;
  /** Identities per page of a list; more come through `@odata.nextLink`, as Graph pages a collection. */
  pageSize: () => number;
}

export class Autopilot {
  /** By serial number. */
  readonly identities = new Map<string, AutopilotIdentity>();
  readonly unregistered = new Set<string>();
  private readonly byIdentityId = new Map<string, AutopilotIdentity>();
  /** By identity id: what Intune accepted and has not applied yet, oldest first. */
  private readonly pending = new Map<string, PendingAssignment[]>();

  constructor(private readonly behaviour: AutopilotBehaviour = { assignmentDelayMs: () => 0, pageSize: () => 100 }) {}

  /** The identity of a serial, registered on first sight (as the OEM did), unless unregistered. */
  identity(serialNumber: string): AutopilotIdentity | undefined {
    if (this.unregistered.has(serialNumber)) return undefined;
    return (
      this.identities.get(serialNumber) ??
      this.register({
        serialNumber,
        model: 'Latitude 5440',
        manufacturer: 'Dell Inc.',
        userPrincipalName: '',
        addressableUserName: '',
      })
    );
  }

  /** Registers an identity as the OEM uploaded it, or as saved (its id comes from its serial). */
  register(identity: Omit<AutopilotIdentity, 'id'> & { id?: string }): AutopilotIdentity {
    const registered = { ...identity, id: identity.id ?? guidFrom(`autopilot:${identity.serialNumber}`) };
    const previous = this.identities.get(registered.serialNumber);
    if (previous) this.byIdentityId.delete(previous.id);
    this.identities.set(registered.serialNumber, registered);
    this.byIdentityId.set(registered.id, registered);
    return registered;
  }

  /** Forgets a serial's identity (a device the OEM never registered). */
  forget(serialNumber: string): void {
    const identity = this.identities.get(serialNumber);
    if (identity) this.byIdentityId.delete(identity.id);
    this.identities.delete(serialNumber);
  }

  /**
   * GET …/windowsAutopilotDeviceIdentities?$filter=contains(serialNumber,'…'): every identity whose serial contains
   * the text (a device registered with a longer serial matches too), a page at a time; `skip` is where the page
   * starts (the `$skiptoken` of the previous page's `@odata.nextLink`).
   */
  list(filter: string | null, skip: number, now: number): { value: AutopilotIdentity[]; more: boolean } {
    let matches: AutopilotIdentity[];
    if (filter === null) matches = [...this.identities.values()];
    else {
      const serial = /^contains\(serialNumber,\s*'((?:[^']|'')*)'\)$/.exec(filter.trim())?.[1];
      if (serial === undefined) throw badRequest(`Invalid filter clause: ${filter}`, 'BadRequest');
      const text = serial.replace(/''/g, "'");
      this.identity(text); // registered on first sight
      const lower = text.toLowerCase();
      matches = [...this.identities.values()].filter((i) => i.serialNumber.toLowerCase().includes(lower));
    }
    const size = Math.max(1, this.behaviour.pageSize());
    const page = matches.slice(skip, skip + size).map((i) => this.settled(i, now));
    return { value: page, more: skip + size < matches.length };
  }

  byId(id: string, now: number): AutopilotIdentity {
    const identity = this.byIdentityId.get(id);
    if (!identity) throw resourceNotFound(id);
    return this.settled(identity, now);
  }

  /** The user Intune will show once it has applied everything it accepted (the last accepted, or the current). */
  intended(identity: AutopilotIdentity): string {
    return this.eventual(identity).userPrincipalName;
  }

  /** The identity as it will be once everything accepted is applied (what is saved: a restart finds it so). */
  eventual(identity: AutopilotIdentity): AutopilotIdentity {
    const last = this.pending.get(identity.id)?.at(-1);
    return last
      ? { ...identity, userPrincipalName: last.userPrincipalName, addressableUserName: last.addressableUserName }
      : { ...identity };
  }

  /** The user a serial's identity shows now ('' when none), or undefined when Intune does not know it. */
  userOf(serialNumber: string, now: number): string | undefined {
    const identity = this.identities.get(serialNumber);
    return identity && this.settled(identity, now).userPrincipalName;
  }

  /** Accepts an assignment (or with '' an unassignment), applied after the configured delay. */
  accept(identity: AutopilotIdentity, userPrincipalName: string, addressableUserName: string, now: number): void {
    const delay = this.behaviour.assignmentDelayMs();
    const change = { userPrincipalName, addressableUserName, appliesAt: now + delay };
    if (delay <= 0 && !this.pending.has(identity.id)) {
      this.apply(identity, change);
      return;
    }
    this.pending.set(identity.id, [...(this.pending.get(identity.id) ?? []), change]);
  }

  /** The identity with what Intune has applied by `now`. */
  private settled(identity: AutopilotIdentity, now: number): AutopilotIdentity {
    const queue = this.pending.get(identity.id);
    if (!queue) return identity;
    while (queue.length > 0 && (queue[0]?.appliesAt ?? Infinity) <= now) {
      const next = queue.shift();
      if (next) this.apply(identity, next);
    }
    if (queue.length === 0) this.pending.delete(identity.id);
    return identity;
  }

  private apply(identity: AutopilotIdentity, change: PendingAssignment): void {
    identity.userPrincipalName = change.userPrincipalName;
    identity.addressableUserName = change.addressableUserName;
  }
}
