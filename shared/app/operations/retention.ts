import { createHash, randomBytes } from 'node:crypto';
import { resealHistory } from '../../audit/history-chain';
import { before } from '../../iso-duration';
import type { Clock } from '../../ports/clock';
import { ConcurrencyConflict, type OnboardingStore } from '../../ports/onboarding-store';
import type { Onboarding } from '../../schemas/onboarding';

// Retention of personal data: a finished onboarding keeps the names and upns of the agent and of the people
// who acted on it for `Retention__personalData` (default five years) after its last change; then they are
// replaced by pseudonyms, everywhere in the document (its fields, its steps' details, its history). What the
// audit needs stays: ids, dates, the decision and who made it by object id, each step's outcome, the serial
// numbers. The history is sealed anew over the pseudonymised entries, and the re-seal is itself an entry
// that names the hash the chain ended with before, so that an earlier export still proves what was there.

const PSEUDONYM_DOMAIN = 'pseudonymised.invalid';
const BATCH = 100;

/** A person's pseudonym, the same in every onboarding: derived from their object id, never from their name. */
function personPseudonym(objectId: string | undefined): string {
  const seed = objectId ?? randomBytes(16).toString('hex');
  return `person-${createHash('sha256').update(seed.toLowerCase()).digest('hex').slice(0, 12)}@${PSEUDONYM_DOMAIN}`;
}

/** Replaces every occurrence of each name (case-insensitively) in every string of `value`. */
function replaceDeep<T>(value: T, names: Map<string, string>): T {
  const patterns = [...names].map(
    ([name, pseudonym]) => [new RegExp(name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi'), pseudonym] as const,
  );
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return patterns.reduce((text, [re, p]) => text.replace(re, p), v);
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}

/** The onboarding with its personal data pseudonymised and its history re-sealed (pure but for the pseudonyms). */
export function pseudonymise(o: Onboarding, at: string, retention: string): Onboarding {
  const agent = `agent-${randomBytes(6).toString('hex')}`;
  const names = new Map<string, string>([
    [o.userPrincipalName, `${agent}@${PSEUDONYM_DOMAIN}`],
    [o.displayName, agent],
  ]);
  // The people who decided or acted: by their object id where the history has it.
  const people = new Map<string, string | undefined>();
  if (o.decision?.by.includes('@')) people.set(o.decision.by.toLowerCase(), o.decision.byId);
  for (const h of o.history) if (h.actor.includes('@')) people.set(h.actor.toLowerCase(), h.actorId);
  for (const [upn, id] of people) if (!names.has(upn)) names.set(upn, personPseudonym(id));
  // Longest first: a upn is replaced whole before a name it contains.
  const ordered = new Map([...names].filter(([n]) => n.length > 0).sort(([a], [b]) => b.length - a.length));
  const { history, ...rest } = o;
  const cleared = replaceDeep(rest, ordered);
  const previousHead = history.at(-1)?.hash ?? null;
  return {
    ...cleared,
    // The audit facts are not names: ids, dates, statuses and serial numbers are kept as they were.
    id: o.id,
    employeeId: o.employeeId,
    userPrincipalName: `${agent}@${PSEUDONYM_DOMAIN}`,
    displayName: agent,
    pseudonymisedAt: at,
    updatedAt: at,
    history: resealHistory([
      ...replaceDeep(history, ordered),
      {
        at,
        type: 'onboarding.pseudonymised',
        actor: 'system',
        details: { retention, previousHead },
      },
    ]),
  };
}

export function createRetention(deps: { store: OnboardingStore; clock: Clock; retention: string }) {
  return {
    /** Pseudonymises the finished onboardings past retention, a batch at a time; answers how many. */
    async run(): Promise<number> {
      const now = deps.clock.now();
      const cutoff = before(now, deps.retention).toISOString();
      let done = 0;
      for (;;) {
        const due = await deps.store.finishedBefore(cutoff, BATCH);
        let changed = 0;
        for (const { value, etag } of due) {
          try {
            await deps.store.replace(pseudonymise(value, now.toISOString(), deps.retention), etag);
            changed += 1;
          } catch (err) {
            // Changed meanwhile (a late event): the next run looks at it again.
            if (!(err instanceof ConcurrencyConflict)) throw err;
          }
        }
        done += changed;
        if (due.length < BATCH || changed === 0) return done;
      }
    },
  };
}
export type Retention = ReturnType<typeof createRetention>;
