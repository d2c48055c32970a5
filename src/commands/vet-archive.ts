import { ModelSniffer } from '../detect/detect-model.js';
import { ArchiveError } from '../errors.js';
import type { Finding } from '../finding-codes.js';
import type { Entry } from '../entry.js';
import type { EntryInfo, ResolvedOptions } from '../options.js';
import type { ArchiveMember } from '../readers/archive-member.js';
import { ContainerError } from '../readers/container-error.js';
import type { OpenedArchive } from '../readers/open-archive.js';
import { ByteBudget } from '../vet/byte-budget.js';
import { toFinding, vetEntry, type Verdict } from '../vet/vet-entry.js';
import { createVetState } from '../vet/vet-state.js';

/** During a long member, onProgress is called again after this many more real bytes. */
export const PROGRESS_STEP = 16 * 1024 * 1024;

/**
 * A member's body, its bytes counted against the limits before anyone sees them: `chunks()`
 * streams them; `now()` gives the whole body at once where the reader already holds it, or
 * null (then use chunks()). Either one, once.
 */
export class MemberBody {
  #opened = false;

  constructor(
    readonly member: ArchiveMember,
    private readonly meter: Meter,
  ) {}

  get opened(): boolean {
    return this.#opened;
  }

  chunks(): AsyncIterable<Buffer> {
    this.#opened = true;
    return this.meter.stream(this.member);
  }

  now(): Buffer | null {
    const whole = this.member.bodyNow?.() ?? null;
    if (whole === null) return null;
    this.#opened = true;
    this.meter.whole(whole, this.member);
    return whole;
  }
}

/** What a command does with a member vetting decided to write. */
export type MemberSink = (member: ArchiveMember, verdict: Verdict, body: MemberBody) => Promise<void>;

export interface VetResult {
  readonly findings: Finding[];
  readonly entries: number;
  /** Sum of member sizes; every member that was read was checked to have exactly its size. */
  readonly bytes: number;
  readonly model: ReturnType<ModelSniffer['kind']>;
  readonly refused: boolean;
}

/**
 * The one walk every command shares: each member is vetted by vetEntry, its bytes are
 * counted against the limits as they stream, and the sink acts on the verdict. A container
 * problem becomes a finding that refuses. `stopAtRefusal` ends the walk at the first
 * refusing finding (extract); scan goes on to report every member.
 */
export async function vetArchive(archive: OpenedArchive, options: ResolvedOptions, stopAtRefusal: boolean, sink: MemberSink): Promise<VetResult> {
  const state = createVetState();
  const budget = new ByteBudget(options.limits);
  const sniffer = new ModelSniffer();
  const findings: Finding[] = [];
  let refused = false;
  let entries = 0;
  // The member being handled, to name in a container finding; null between members, so a bad
  // header or an orphan meta header is not blamed on the member before it.
  let member: ArchiveMember | null = null;
  let reported = 0;
  const progress = (handled: boolean): void => {
    if (options.onProgress === undefined) return;
    reported = budget.total;
    const { bytes, total } = archive.progress(handled);
    options.onProgress({ entries, bytes: budget.total, archiveBytes: bytes, archiveSize: total });
  };
  const tick = (): void => {
    if (budget.total - reported >= PROGRESS_STEP) progress(false);
  };
  const meter = new Meter(budget, archive, options, tick);
  try {
    for await (const next of archive.members()) {
      member = next;
      options.signal?.throwIfAborted();
      entries += 1;
      const verdict = vetEntry(member.entry, state, options);
      findings.push(...verdict.findings);
      if (verdict.action === 'refuse') refused = true;
      options.onEntry?.(entryInfo(member.entry, verdict));
      if (refused && stopAtRefusal) break;
      if (verdict.action === 'write') sniffer.add(verdict.parts, member.entry.type === 'directory');
      const body = new MemberBody(member, meter);
      if (verdict.action === 'write') await sink(member, verdict, body);
      // Bytes of a compressed stream are decompressed whether wanted or not: count them all.
      if (!body.opened && archive.compression !== null) for await (const _chunk of body.chunks());
      progress(true);
      member = null;
    }
    if (!refused) await archive.finish();
  } catch (error) {
    if (error instanceof ContainerError) {
      findings.push(toFinding({ code: error.code, message: error.message }, error.member ?? member?.entry.name ?? null, 'refuse'));
      refused = true;
    } else if (options.signal?.aborted === true) {
      throw new ArchiveError('ERR_ABORTED', 'aborted', { cause: error });
    } else {
      throw error;
    }
  }
  return { findings, entries, bytes: state.declaredBytes, model: sniffer.kind(archive.format, archive.compression), refused };
}

/** What onEntry is told: the member as its header describes it, and what vetting decided. */
function entryInfo(entry: Entry, verdict: Verdict): EntryInfo {
  const { name, type, size, index } = entry;
  return Object.freeze({ name, type, size, index, action: verdict.action, codes: Object.freeze(verdict.findings.map((finding) => finding.code)) });
}

/** Counts one walk's real bytes against its limits as members hand them over. */
class Meter {
  constructor(
    private readonly budget: ByteBudget,
    private readonly archive: OpenedArchive,
    private readonly options: ResolvedOptions,
    private readonly tick: () => void,
  ) {}

  async *stream(member: ArchiveMember): AsyncGenerator<Buffer> {
    this.budget.startMember();
    for await (const chunk of member.body()) {
      this.#count(chunk, member);
      yield chunk;
    }
  }

  whole(body: Buffer, member: ArchiveMember): void {
    this.budget.startMember();
    this.#count(body, member);
  }

  /** Counts a chunk against the limits before anyone sees it; an abort is noticed here too. */
  #count(chunk: Buffer, member: ArchiveMember): void {
    const over = this.budget.add(chunk.length, member.compressedSize, this.archive.stream());
    if (over !== null) throw new ContainerError('LIMIT_EXCEEDED', over.message, member.entry.name);
    this.options.signal?.throwIfAborted();
    this.tick();
  }
}
