import type { ArchiveMember } from '../readers/archive-member.js';
import { malformed } from '../readers/container-error.js';
import type { Verdict } from '../vet/vet-entry.js';
import { encodeTarHeader } from './encode-tar-header.js';
import type { OutputFile } from './output-file.js';

const BLOCK = 512;
/** GNU tar's and Python's record size: the archive is padded to a multiple of it. */
const RECORD = 20 * BLOCK;

/**
 * Writes the members `clean` keeps as a new tar: a fresh header for each (regular file or
 * folder, sanitized mode, no owner, no link; see encodeTarHeader), then the member's bytes as
 * read, counted and limited by the shared walk. Nothing of the input's headers is copied.
 */
export class TarWriter {
  constructor(private readonly out: OutputFile) {}

  async add(member: ArchiveMember, verdict: Verdict, body: () => AsyncIterable<Buffer>): Promise<void> {
    const { entry } = member;
    const isDirectory = entry.type === 'directory';
    const size = isDirectory ? 0 : entry.size;
    const mtime = entry.mtime === null ? 0 : Math.floor(entry.mtime.getTime() / 1000);
    await this.out.write(encodeTarHeader({ name: entry.name, type: isDirectory ? 'directory' : 'file', mode: verdict.mode, size, mtime }));
    if (isDirectory) return;
    let written = 0;
    for await (const chunk of body()) {
      written += chunk.length;
      if (written > size) throw malformed(`member has more than its ${size} bytes`, entry.name);
      await this.out.write(chunk);
    }
    // The reader refuses a short body too, but only once the walk moves on: never write one.
    if (written !== size) throw malformed('truncated member data', entry.name);
    await this.out.write(Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK));
  }

  /** Two zero blocks end the archive; zeros up to a whole record follow, as GNU tar writes. */
  async finish(): Promise<void> {
    const end = 2 * BLOCK;
    const total = this.out.position + end;
    await this.out.write(Buffer.alloc(end + ((RECORD - (total % RECORD)) % RECORD)));
  }
}
