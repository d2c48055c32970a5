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
 * A member's body, its bytes counted against the limits: call it for the chunks, or try
 * `now()` first for the whole body at once where the reader already holds it (null where it
 * does not). Either one, once.
 */
export interface MemberBody {
  (): AsyncIterable<Buffer>;
  now(): Buffer | null;
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
      const current = member;
      let opened = false;
      const body: MemberBody = Object.assign(
        (): AsyncIterable<Buffer> => {
          opened = true;
          return metered(current, budget, archive, options, tick);
        },
        {
          now: (): Buffer | null => {
            const whole = current.bodyNow?.() ?? null;
            if (whole === null) return null;
            opened = true;
            budget.startMember();
            meter(whole, current, budget, archive, options, tick);
            return whole;
          },
        },
      );
      if (verdict.action === 'write') await sink(current, verdict, body);
      // Bytes of a compressed stream are decompressed whether wanted or not: count them all.
      if (!opened && archive.compression !== null) for await (const _chunk of body());
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

async function* metered(member: ArchiveMember, budget: ByteBudget, archive: OpenedArchive, options: ResolvedOptions, tick: () => void): AsyncGenerator<Buffer> {
  budget.startMember();
  for await (const chunk of member.body()) {
    meter(chunk, member, budget, archive, options, tick);
    yield chunk;
  }
}

/** Counts a chunk against the limits before anyone sees it; an abort is noticed here too. */
function meter(chunk: Buffer, member: ArchiveMember, budget: ByteBudget, archive: OpenedArchive, options: ResolvedOptions, tick: () => void): void {
  const over = budget.add(chunk.length, member.compressedSize, archive.streamCompressed());
  if (over !== null) throw new ContainerError('LIMIT_EXCEEDED', over.message, member.entry.name);
  options.signal?.throwIfAborted();
  tick();
}
