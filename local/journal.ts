import {
  appendFileSync,
  closeSync,
  fsyncSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  truncateSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { crc32 } from 'node:zlib';

/**
 * An append-only journal of records, one a line (`<crc32 hex> <json>`), flushed to disk in groups: the
 * records appended while a write is under way go out together in the next write, each write followed by
 * one fdatasync. `flush()` resolves once every record appended before it is on disk, so a caller answers
 * only after what it acknowledges can survive a kill -9 or a power cut.
 *
 * Files are numbered generations (`journal-<n>.log`): compaction opens the next generation, writes a
 * snapshot that covers every record of the earlier ones, then deletes them.
 */
export class JournalCorrupt extends Error {
  override readonly name = 'JournalCorrupt';
}

const FILE = /^journal-(\d+)\.log$/;

function journalFile(dir: string, generation: number): string {
  return path.join(dir, `journal-${generation}.log`);
}

/** Makes a rename or a new file in `dir` durable (the directory entry itself). */
export function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** The journal generations present in `dir`, oldest first. */
export function generations(dir: string): number[] {
  return readdirSync(dir)
    .map((f) => FILE.exec(f)?.[1])
    .filter((g): g is string => g !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

export interface ReadJournal {
  records: unknown[];
  /** A torn last line (a crash in the middle of a write) was found and cut off. */
  tornTail: boolean;
}

/**
 * Reads one generation. A last line that is incomplete or fails its checksum is a write the crash cut
 * short: it is dropped and the file truncated to the last whole record. A bad line followed by good ones
 * is corruption, not a torn write: JournalCorrupt.
 */
export function readJournal(dir: string, generation: number): ReadJournal {
  const file = journalFile(dir, generation);
  const bytes = readFileSync(file);
  const records: unknown[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const end = bytes.indexOf(0x0a, offset);
    const line = bytes.subarray(offset, end < 0 ? bytes.length : end);
    const record = parseLine(line);
    if (record === undefined) {
      const rest = end < 0 ? Buffer.alloc(0) : bytes.subarray(end + 1);
      if (rest.toString('utf8').trim().length > 0) {
        throw new JournalCorrupt(`${file}: record at byte ${offset} is unreadable and more records follow it`);
      }
      truncateSync(file, offset);
      return { records, tornTail: true };
    }
    if (end < 0) {
      // A whole record without its newline: complete it, so that the next append starts a line.
      appendFileSync(file, '\n');
      return { records: [...records, record], tornTail: true };
    }
    records.push(record);
    offset = end + 1;
  }
  return { records, tornTail: false };
}

function parseLine(line: Buffer): unknown {
  const space = line.indexOf(0x20);
  if (space !== 8) return undefined;
  const body = line.subarray(9);
  if (crc32(body).toString(16).padStart(8, '0') !== line.subarray(0, 8).toString('ascii')) return undefined;
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

function encode(record: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(record), 'utf8');
  return Buffer.concat([
    Buffer.from(`${crc32(body).toString(16).padStart(8, '0')} `, 'ascii'),
    body,
    Buffer.from('\n'),
  ]);
}

export class Journal {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private writing: Promise<void> | null = null;
  private waiters: (() => void)[] = [];
  private failure: Error | null = null;
  /** The batch being written, and to which file (a rotation waits for it before it closes that file). */
  private inFlight: { handle: FileHandle; done: Promise<void> } | null = null;
  /** Bytes and records written to the current generation. */
  bytes = 0;
  records = 0;

  private constructor(
    private readonly dir: string,
    private handle: FileHandle,
    public generation: number,
  ) {}

  /** Opens `journal-<generation>.log` for appending (created, readable by its owner only). */
  static async open(dir: string, generation: number): Promise<Journal> {
    const handle = await open(journalFile(dir, generation), 'a', 0o600);
    fsyncDir(dir);
    return new Journal(dir, handle, generation);
  }

  append(record: unknown): void {
    if (this.failure) throw this.failure;
    const line = encode(record);
    this.pending.push(line);
    this.pendingBytes += line.length;
    this.records += 1;
  }

  /** Resolves once every record appended so far is on disk (one fdatasync for a whole group). */
  flush(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.pending.length === 0 && !this.writing) return Promise.resolve();
    const done = new Promise<void>((resolve, reject) =>
      this.waiters.push(() => (this.failure ? reject(this.failure) : resolve())),
    );
    if (!this.writing) this.writing = this.drain();
    return done;
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = Buffer.concat(this.pending, this.pendingBytes);
      const waiters = this.waiters;
      this.pending = [];
      this.pendingBytes = 0;
      this.waiters = [];
      try {
        const handle = this.handle;
        const done = (async () => {
          await handle.write(batch);
          await handle.datasync();
        })();
        this.inFlight = { handle, done };
        await done;
        this.inFlight = null;
        this.bytes += batch.length;
      } catch (err) {
        this.inFlight = null;
        // A journal that cannot write acknowledges nothing more: every caller from now on is refused.
        this.failure = err instanceof Error ? err : new Error(String(err));
      }
      for (const w of waiters) w();
      if (this.failure) break;
    }
    this.writing = null;
    const late = this.waiters;
    this.waiters = [];
    for (const w of late) w();
  }

  /** Starts the next generation: what is appended from now on goes there (the current one is flushed first). */
  async rotate(): Promise<number> {
    await this.flush();
    const next = await Journal.open(this.dir, this.generation + 1);
    // Records appended meanwhile go to the next generation from now on (replaying them is harmless);
    // a batch still being written to the current file finishes before that file is closed.
    const old = this.handle;
    this.handle = next.handle;
    this.generation = next.generation;
    this.bytes = 0;
    this.records = 0;
    if (this.inFlight?.handle === old) await this.inFlight.done.catch(() => undefined);
    await old.close();
    return this.generation;
  }

  /** Deletes the generations before `generation` (a snapshot covers them). */
  dropBefore(generation: number): void {
    for (const g of generations(this.dir)) if (g < generation) unlinkSync(journalFile(this.dir, g));
    fsyncDir(this.dir);
  }

  async close(): Promise<void> {
    await this.flush().catch(() => undefined);
    await this.handle.close();
  }
}

/**
 * Creates a file that must not exist yet (another process may be creating it too: EEXIST), readable by its
 * owner only, on disk before it appears under its name.
 */
export function createFileDurably(file: string, data: string): void {
  const fd = openSync(file, 'wx', 0o600);
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  fsyncDir(path.dirname(file));
}

/** Moves a file aside (`<name>.unreadable-<time>`), keeping it for whoever wants to look at it. */
export function setAside(file: string): string {
  const aside = `${file}.unreadable-${Date.now()}`;
  renameSync(file, aside);
  return aside;
}
