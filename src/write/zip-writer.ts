import { findZipEnd, ZIP_TAIL_BYTES } from '../detect/find-zip-end.js';
import { ArchiveError } from '../errors.js';
import { malformed } from '../readers/container-error.js';
import type { RandomAccess } from '../readers/random-access.js';
import type { ZipLayout, ZipMember } from '../readers/zip-layout.js';
import type { Verdict } from '../vet/vet-entry.js';
import {
  encodeCentralRecord,
  encodeDataDescriptor,
  encodeEndRecords,
  encodeExtraFields,
  encodeLocalHeader,
  EXTRA_TORCH_PADDING,
  EXTRA_ZIP64,
  FLAG_DATA_DESCRIPTOR,
  LOCAL_HEADER_BYTES,
  paddingField,
  parseExtraFields,
  U32_LIMIT,
  zip64LocalField,
  type CentralFields,
  type ExtraField,
  type ZipMemberFields,
} from './encode-zip-records.js';
import type { OutputFile } from './output-file.js';

/** torch.save aligns stored data to 64 bytes so tensors can be mapped in place. */
const ALIGN = 64;
const MAX_READ = 1024 * 1024;
const VERSION_ZIP64 = 45;
const UNIX_HOST = 3;

/**
 * Writes the members `clean` keeps as a new zip, copying each as it is stored: stored data
 * stays stored, deflate data is copied without being re-compressed, CRC and sizes unchanged.
 * Headers are rebuilt from the central directory (what our reader and unzip, Python and Go
 * trust), so the output's local and central headers agree. Stored data that started on a
 * multiple of 64 still does: its local extra field gets a fresh torch 'FB' padding field.
 */
export class ZipWriter {
  readonly #central: CentralFields[] = [];
  #source: RandomAccess | null = null;

  constructor(private readonly out: OutputFile) {}

  async add(member: ZipMember, verdict: Verdict, body: () => AsyncIterable<Buffer>): Promise<void> {
    const raw = member.raw;
    this.#source = raw.source;
    const localExtra = await readLocalExtra(raw, member.entry.name);
    const headerOffset = this.out.position;
    const zip64 = raw.compressedSize >= U32_LIMIT || raw.uncompressedSize >= U32_LIMIT || localExtra.some((field) => field.id === EXTRA_ZIP64);
    const fields: ZipMemberFields = {
      versionNeeded: zip64 || headerOffset >= U32_LIMIT ? Math.max(raw.versionNeeded, VERSION_ZIP64) : raw.versionNeeded,
      flags: raw.flags,
      method: raw.method,
      dosTime: raw.dosTime,
      dosDate: raw.dosDate,
      crc: raw.crc,
      compressedSize: raw.compressedSize,
      uncompressedSize: raw.uncompressedSize,
      nameBytes: raw.nameBytes,
    };
    const align = raw.method === 0 && raw.dataStart % ALIGN === 0;
    const extra: ExtraField[] = [
      ...(zip64 ? [zip64LocalField(fields)] : []),
      ...localExtra.filter((field) => field.id !== EXTRA_ZIP64 && !(align && field.id === EXTRA_TORCH_PADDING)),
    ];
    if (align) extra.push(paddingField(headerOffset + LOCAL_HEADER_BYTES + raw.nameBytes.length + encodeExtraFields(extra).length, ALIGN));
    const extraBytes = encodeExtraFields(extra);
    if (extraBytes.length > 0xffff)
      throw new ArchiveError('ERR_WRITE_FAILED', `the local extra field of ${JSON.stringify(member.entry.name)} would exceed 65535 bytes`);
    await this.out.write(encodeLocalHeader(fields, extraBytes, zip64));
    await this.#copyData(member, body);
    if ((raw.flags & FLAG_DATA_DESCRIPTOR) !== 0) await this.out.write(encodeDataDescriptor(fields, zip64));
    this.#central.push({
      ...fields,
      versionMadeBy: raw.versionMadeBy,
      comment: raw.comment,
      internalAttributes: raw.internalAttributes,
      externalAttributes: externalAttributes(raw, verdict),
      headerOffset,
      extra: raw.centralExtra.filter((field) => field.id !== EXTRA_ZIP64),
    });
  }

  /** The central directory in member order, then the end records (ZIP64 ones if the input had them). */
  async finish(): Promise<void> {
    const directoryOffset = this.out.position;
    for (const record of this.#central) await this.out.write(encodeCentralRecord(record));
    const directorySize = this.out.position - directoryOffset;
    await this.out.write(encodeEndRecords(this.#central.length, directoryOffset, directorySize, await hasZip64End(this.#source)));
  }

  /**
   * The body the shared walk hands over is the member's real bytes, metered against the limits
   * and checked against its size and CRC-32 by the reader. Stored, those are the stored bytes:
   * they are written as read. Deflated, they are inflated to nowhere (a corrupt member must not
   * be blessed), then the compressed bytes are copied by positional reads.
   */
  async #copyData(member: ZipMember, body: () => AsyncIterable<Buffer>): Promise<void> {
    const { raw, entry } = member;
    if (raw.method === 0) {
      let written = 0;
      for await (const chunk of body()) {
        written += chunk.length;
        await this.out.write(chunk);
      }
      if (written !== raw.compressedSize) throw malformed(`member has ${written} bytes, its header says ${raw.compressedSize}`, entry.name);
      return;
    }
    for await (const _chunk of body());
    for (let at = 0; at < raw.compressedSize;) {
      const chunk = await raw.source.read(raw.dataStart + at, Math.min(MAX_READ, raw.compressedSize - at));
      if (chunk.length === 0) throw malformed('truncated member data', entry.name);
      await this.out.write(chunk);
      at += chunk.length;
    }
  }
}

/** The input's local extra field: kept, but for the ZIP64 and padding fields rebuilt here. */
async function readLocalExtra(raw: ZipLayout, name: string): Promise<ExtraField[]> {
  const fixed = await raw.source.read(raw.headerOffset, LOCAL_HEADER_BYTES);
  if (fixed.length < LOCAL_HEADER_BYTES) throw malformed('truncated local header', name);
  const extraLength = fixed.readUInt16LE(28);
  const extra = await raw.source.read(raw.headerOffset + LOCAL_HEADER_BYTES + fixed.readUInt16LE(26), extraLength);
  if (extra.length < extraLength) throw malformed('truncated local header', name);
  return parseExtraFields(extra);
}

/** Unix permission bits that vetting sanitized are replaced by the sanitized mode; the type bits stay. */
function externalAttributes(raw: ZipLayout, verdict: Verdict): number {
  const sanitized = verdict.findings.some((finding) => finding.code === 'UNSAFE_MODE');
  if (!sanitized || raw.versionMadeBy >> 8 !== UNIX_HOST) return raw.externalAttributes;
  const typeBits = (raw.externalAttributes >>> 16) & 0o170000;
  return (typeBits | verdict.mode) * 0x10000 + (raw.externalAttributes & 0xffff);
}

/** A ZIP64 locator just before the end record: the input had ZIP64 end records (torch.save, NumPy). */
async function hasZip64End(source: RandomAccess | null): Promise<boolean> {
  if (source === null) return false;
  const tailStart = Math.max(0, source.size - ZIP_TAIL_BYTES);
  const end = findZipEnd(await source.read(tailStart, ZIP_TAIL_BYTES), tailStart, source.size);
  return end !== null && end.directoryEnd !== end.offset;
}
