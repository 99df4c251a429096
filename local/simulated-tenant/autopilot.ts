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

export class Autopilot {
  readonly identities = new Map<string, AutopilotIdentity>();
  readonly unregistered = new Set<string>();

  /** The identity of a serial, registered on first sight (as the OEM did), unless unregistered. */
  identity(serialNumber: string): AutopilotIdentity | undefined {
    if (this.unregistered.has(serialNumber)) return undefined;
    let identity = this.identities.get(serialNumber);
    if (!identity) {
      identity = {
        id: guidFrom(`autopilot:${serialNumber}`),
        serialNumber,
        model: 'Latitude 5440',
        manufacturer: 'Dell Inc.',
        userPrincipalName: '',
        addressableUserName: '',
      };
      this.identities.set(serialNumber, identity);
    }
    return identity;
  }

  /** GET …/windowsAutopilotDeviceIdentities?$filter=contains(serialNumber,'…') */
  list(filter: string | null): AutopilotIdentity[] {
    if (filter === null) return [...this.identities.values()];
    const serial = /^contains\(serialNumber,\s*'((?:[^']|'')*)'\)$/.exec(filter.trim())?.[1];
    if (serial === undefined) throw badRequest(`Invalid filter clause: ${filter}`, 'BadRequest');
    const found = this.identity(serial.replace(/''/g, "'"));
    return found ? [found] : [];
  }

  byId(id: string): AutopilotIdentity {
    const identity = [...this.identities.values()].find((i) => i.id === id);
    if (!identity) throw resourceNotFound(id);
    return identity;
  }
}
