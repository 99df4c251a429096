import { employeeHiredSchema } from '../shared/schemas/hr-events';
import type { SimulatedTenant } from './simulated-tenant';

/**
 * The stand-in for HR-driven provisioning (Entra ID inbound provisioning from the HR system, or Entra
 * Connect): in a real tenant the agent's account is created from the HR record, not by this product.
 * Locally, each hire on the hr-events queue creates the account in the simulated tenant, which makes it
 * visible after SIM_USER_SYNC_DELAY_MS, and only in its verified domains.
 */
export function syncDirectoryFromHr(tenant: SimulatedTenant, body: unknown): void {
  const hire = employeeHiredSchema.safeParse(body);
  if (hire.success) tenant.provisionFromHr(hire.data.employee);
}
