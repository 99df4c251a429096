import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ALL_CONTAINERS } from '../shared/adapters/cosmos/containers';
import type { CosmosRecord, CosmosSnapshot } from './embedded-cosmos';
import { fsyncDir, generations, Journal, JournalCorrupt, readJournal, setAside } from './journal';
import { applyBusRecord, localBusSnapshotSchema, type BusRecord, type LocalBusSnapshot } from './local-bus';
import {
  applyTenantRecord,
  emptyTenantState,
  simulatedTenantStateSchema,
  type SimulatedTenantState,
  type TenantRecord,
} from './simulated-tenant';

/**
 * The local host's state on disk: a snapshot (`state.json`) and the journal of every change since
 * (`journal-<n>.log`). Every change the host acknowledges is in the journal first; at start the snapshot is
 * loaded and the journal replayed over it; from time to time, and at a clean stop, a new snapshot takes
 * the journal's place. Files are readable by their owner only, and reach the disk before they replace
 * the old ones.
 */
export const STATE_VERSION = 2;
export const STATE_FILE = 'state.json';

const cosmosSnapshotSchema = z.record(z.string(), z.array(z.record(z.string(), z.unknown())));

const snapshotSchema = z.object({
  version: z.literal(STATE_VERSION),
  /** The journal generations from this one on are not in the snapshot: replay them. */
  journalGeneration: z.number().int().nonnegative(),
  savedAt: z.string(),
  cosmos: cosmosSnapshotSchema,
  bus: localBusSnapshotSchema,
  tenant: simulatedTenantStateSchema,
});

/** state.json as versions before the journal saved it (at a clean stop only); migrated when loaded. */
const version1Schema = z.object({
  cosmos: cosmosSnapshotSchema,
  bus: z.object({
    nextSequence: z.number(),
    queues: z.record(
      z.string(),
      z.object({
        active: z.array(z.record(z.string(), z.unknown())),
        scheduled: z.array(z.record(z.string(), z.unknown())),
        deadLetter: z.array(z.record(z.string(), z.unknown())),
      }),
    ),
  }),
  tenant: z.object({
    users: z.array(z.object({ id: z.string(), userPrincipalName: z.string(), licenses: z.array(z.string()) })),
    groupMembers: z.record(z.string(), z.array(z.string())),
    seats: z.record(z.string(), z.number()),
    autopilot: z.array(z.record(z.string(), z.unknown())),
  }),
});

export interface LocalState {
  cosmos: CosmosSnapshot;
  bus: LocalBusSnapshot;
  tenant: SimulatedTenantState;
}

export type LocalRecord =
  { s: 'cosmos'; r: CosmosRecord } | { s: 'bus'; r: BusRecord } | { s: 'tenant'; r: TenantRecord };

/** The state folder cannot be read: the host refuses to start rather than start empty and forget. */
export class StateUnreadable extends Error {
  override readonly name = 'StateUnreadable';
}

function migrateVersion1(v1: z.infer<typeof version1Schema>): LocalState {
  const bus = localBusSnapshotSchema.parse({
    nextSequence: v1.bus.nextSequence,
    queues: Object.fromEntries(
      Object.entries(v1.bus.queues).map(([name, q]) => [
        name,
        { messages: [...q.active, ...q.scheduled], deadLetter: q.deadLetter, seen: {} },
      ]),
    ),
  });
  const tenant = simulatedTenantStateSchema.parse({
    users: v1.tenant.users.map((u) => ({
      ...u,
      givenName: null,
      surname: null,
      displayName: null,
      usageLocation: null,
    })),
    groups: Object.fromEntries(
      Object.entries(v1.tenant.groupMembers).map(([id, members]) => [id, { members, licenses: [] }]),
    ),
    seats: v1.tenant.seats,
    autopilot: v1.tenant.autopilot,
    effects: [],
  });
  return { cosmos: v1.cosmos, bus, tenant };
}

const emptyState = (): LocalState => ({ cosmos: {}, bus: { nextSequence: 1, queues: {} }, tenant: emptyTenantState() });

/** The key of a document: its partition key value and id, as the container defines the partition key. */
function documentKey(container: string, doc: Record<string, unknown> | null, record: CosmosRecord): string {
  const path = ALL_CONTAINERS.find((c) => c.id === container)?.partitionKeyPath.slice(1);
  const pk = doc && path ? doc[path] : record.partitionKey;
  return JSON.stringify([pk ?? null, record.id]);
}

/** Replays records over a state (in order; each is a put or a delete, so one applied twice is harmless). */
export function replay(state: LocalState, records: LocalRecord[]): LocalState {
  const docs = new Map<string, Map<string, Record<string, unknown>>>();
  for (const [container, list] of Object.entries(state.cosmos)) {
    docs.set(
      container,
      new Map(
        list.map((d) => [documentKey(container, d, { container, id: String(d.id), doc: d, partitionKey: null }), d]),
      ),
    );
  }
  for (const record of records) {
    if (record.s === 'cosmos') {
      const { container, doc } = record.r;
      const byKey = docs.get(container) ?? new Map<string, Record<string, unknown>>();
      docs.set(container, byKey);
      const key = documentKey(container, doc, record.r);
      if (doc) byKey.set(key, doc);
      else byKey.delete(key);
    } else if (record.s === 'bus') applyBusRecord(state.bus, record.r);
    else applyTenantRecord(state.tenant, record.r);
  }
  return { ...state, cosmos: Object.fromEntries([...docs].map(([c, m]) => [c, [...m.values()]])) };
}

/** Writes a file so that it is whole on disk before it takes its name (tmp, fsync, rename, fsync dir). */
export function writeFileDurably(file: string, data: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  fsyncDir(path.dirname(file));
}

function unreadable(what: string, file: string, why: string): StateUnreadable {
  return new StateUnreadable(
    `${what} ${file} cannot be read (${why}). The host does not start empty over it: that would forget every ` +
      `onboarding and put back laptops already given. Repair or restore the file, or start afresh with ` +
      `LOCAL_START_AFRESH=true (it is then moved aside, not deleted).`,
  );
}

function readSnapshot(
  file: string,
  startAfresh: boolean,
  log: (line: string) => void,
): { state: LocalState; generation: number } | null {
  if (!existsSync(file)) return null;
  let json: unknown;
  let why = 'not JSON';
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
    const current = snapshotSchema.safeParse(json);
    if (current.success) return { state: current.data, generation: current.data.journalGeneration };
    const v1 = version1Schema.safeParse(json);
    if (v1.success) {
      log(`local host: ${file} is from an earlier version (saved at a clean stop); migrated`);
      return { state: migrateVersion1(v1.data), generation: 0 };
    }
    why = `not state of version ${STATE_VERSION} or 1: ${current.error.issues[0]?.message ?? 'unknown shape'}`;
  } catch {
    // why stays 'not JSON'
  }
  if (!startAfresh) throw unreadable('The saved state', file, why);
  log(`local host: ${file} is unreadable (${why}); moved to ${setAside(file)} (LOCAL_START_AFRESH)`);
  return null;
}

/**
 * Opens the state folder: the snapshot, then every journal generation from the snapshot's on, replayed in
 * order. A torn last record is dropped (a crash in the middle of a write); anything else unreadable stops
 * the start with StateUnreadable, unless `startAfresh`, which moves it aside. Answers the state (null
 * when there is none yet) and the journal to append to.
 */
export async function openDurableState(
  dir: string,
  options: { startAfresh: boolean; log: (line: string) => void },
): Promise<{ state: LocalState | null; journal: Journal; replayed: number }> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const snapshot = readSnapshot(path.join(dir, STATE_FILE), options.startAfresh, options.log);
  const from = snapshot?.generation ?? 0;
  const records: LocalRecord[] = [];
  let last = from;
  for (const generation of generations(dir).filter((g) => g >= from)) {
    try {
      const read = readJournal(dir, generation);
      if (read.tornTail)
        options.log(`local host: journal-${generation}.log ended in a torn record (a crash mid-write); dropped it`);
      records.push(...(read.records as LocalRecord[]));
    } catch (err) {
      if (!(err instanceof JournalCorrupt)) throw err;
      const file = path.join(dir, `journal-${generation}.log`);
      if (!options.startAfresh) throw unreadable('The journal', file, err.message);
      options.log(`local host: ${err.message}; moved to ${setAside(file)} (LOCAL_START_AFRESH)`);
    }
    last = generation;
  }
  const state = snapshot || records.length > 0 ? replay(snapshot?.state ?? emptyState(), records) : null;
  return { state, journal: await Journal.open(dir, last), replayed: records.length };
}

/**
 * Replaces the journal by a snapshot: opens the next generation (what comes from now on goes there), takes
 * the state, writes it as the snapshot of that generation, then deletes the older generations. A crash at
 * any point leaves either the old snapshot and every journal, or the new one and the journal since.
 */
export async function compact(dir: string, journal: Journal, take: () => Promise<LocalState>): Promise<void> {
  const generation = await journal.rotate();
  const state = await take();
  writeFileDurably(
    path.join(dir, STATE_FILE),
    JSON.stringify({
      version: STATE_VERSION,
      journalGeneration: generation,
      savedAt: new Date().toISOString(),
      ...state,
    }),
  );
  journal.dropBefore(generation);
}
