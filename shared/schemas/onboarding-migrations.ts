import { ONBOARDING_SCHEMA_VERSION } from './onboarding';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * An onboarding document as an earlier release stored it, in today's shape; today's documents as they are.
 * Applied to what is read back, before the schema: the store never rewrites documents in bulk, and a
 * document is written in today's shape at its next change.
 *
 * Version 1 (no `schemaVersion`, releases up to November 2026): always a hire, three steps. It becomes a hire
 * whose `teams` and `accessories` steps were not needed (skipped since its creation), with the needs its
 * creation recorded, no manager and nothing replaced.
 */
export function upgradeOnboardingDocument(doc: unknown): unknown {
  if (!isRecord(doc) || doc.docType !== 'onboarding' || doc.schemaVersion !== undefined) return doc;
  const steps = isRecord(doc.steps) ? doc.steps : {};
  const notNeeded = { status: 'skipped', updatedAt: doc.createdAt, attempt: 0 };
  const history: unknown[] = Array.isArray(doc.history) ? doc.history : [];
  const created = history.find((e) => isRecord(e) && e.type === 'onboarding.created');
  const recorded =
    isRecord(created) && isRecord(created.details) && isRecord(created.details.needs) ? created.details.needs : {};
  const needed = (step: string) =>
    typeof recorded[step] === 'boolean' ? recorded[step] : !(isRecord(steps[step]) && steps[step].status === 'skipped');
  return {
    ...doc,
    schemaVersion: ONBOARDING_SCHEMA_VERSION,
    kind: 'hire',
    needs: {
      laptop: needed('laptop'),
      vpn: needed('vpn'),
      officeLicense: needed('officeLicense'),
      teams: false,
      accessories: [],
    },
    managerUpn: null,
    replaces: null,
    steps: { ...steps, teams: notNeeded, accessories: notNeeded },
  };
}
