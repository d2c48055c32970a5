import { stat } from 'node:fs/promises';
import { ArchiveError } from '../errors.js';
import type { Finding } from '../finding-codes.js';
import { resolveOptions, type CleanOptions, type ResolvedOptions } from '../options.js';
import type { ArchiveSource } from '../readers/open-archive.js';
import { isZipMember } from '../readers/zip-layout.js';
import { verdictOf, type CleanReport } from '../report.js';
import { OutputFile } from '../write/output-file.js';
import { TarWriter } from '../write/tar-writer.js';
import { ZipWriter } from '../write/zip-writer.js';
import { scan } from './scan.js';
import { vetArchive } from './vet-archive.js';
import { reportOf, withOpenArchive } from './with-open-archive.js';

/**
 * Writes a copy of an archive holding every member the `skip` policy keeps, in order, with
 * the same bytes, in the same format (a tar.gz gives a tar.gz). The shared walk vets and
 * meters every member, so clean cannot disagree with scan or extract. The copy is written
 * beside `output` under a temporary name, scanned, and renamed into place only then; on a
 * container finding (rejected with `ERR_ARCHIVE_REFUSED` and the report), an error or an
 * abort, no output file is left. An existing `output` is replaced only with `overwrite`.
 */
export async function clean(source: ArchiveSource, output: string, options?: CleanOptions): Promise<CleanReport> {
  const resolved = resolveOptions(options, 'clean');
  if (typeof output !== 'string' || output === '') throw new ArchiveError('ERR_INVALID_OPTION', 'clean needs the path of the output file');
  await assertNotSource(source, output);
  await OutputFile.check(output, resolved.overwrite);
  return withOpenArchive(source, resolved, async (archive) => {
    // There is no bzip2, xz or zstd encoder here to write the copy in the same format.
    if (archive.compression !== null && archive.compression !== 'gzip') {
      throw new ArchiveError(
        'ERR_UNSUPPORTED_FORMAT',
        `clean cannot write a ${archive.compression}-compressed copy; decompress the archive first, then clean the tar`,
      );
    }
    const out = archive.format === null ? null : await OutputFile.create(output, { compress: archive.compression === 'gzip', overwrite: resolved.overwrite });
    const writer = out === null ? null : archive.format === 'zip' ? new ZipWriter(out) : new TarWriter(out);
    let kept = 0;
    try {
      const result = await vetArchive(archive, resolved, true, async (member, verdict, body) => {
        kept += 1;
        const chunks = (): AsyncIterable<Buffer> => body.chunks();
        if (writer instanceof TarWriter) await writer.add(member, verdict, chunks);
        else if (writer instanceof ZipWriter && isZipMember(member)) await writer.add(member, verdict, chunks);
        else throw new Error(`no writer for a member of a ${archive.format ?? 'refused'} archive`);
      });
      let findings = result.findings;
      if (!result.refused && writer !== null && out !== null) {
        await writer.finish();
        await out.close();
        findings = [...findings, ...(await scanOutput(out.tempPath, resolved))];
      }
      const verdict = verdictOf(findings);
      const report: CleanReport = {
        ...reportOf(source, archive, result, findings),
        output: verdict === 'refused' || out === null ? null : out.path,
        removed: result.entries - kept,
      };
      if (verdict === 'refused' || out === null) throw refusal(report);
      await out.commit(resolved.overwrite);
      return report;
    } catch (error) {
      await out?.discard();
      throw error;
    }
  });
}

/**
 * Defence in depth: the copy must pass `scan` as it stands, before it gets its name. (A tar
 * can come out differently: dropping trailing members can bring a zip inside a member into
 * the tail where unzip looks for one.) Its refusing findings refuse the clean.
 */
async function scanOutput(path: string, options: ResolvedOptions): Promise<Finding[]> {
  const report = await scan(path, { limits: options.limits, ...(options.signal === undefined ? {} : { signal: options.signal }) });
  return report.findings
    .filter((finding) => finding.action === 'refused')
    .map((finding) => ({ ...finding, message: `in the cleaned copy: ${finding.message}` }));
}

async function assertNotSource(source: ArchiveSource, output: string): Promise<void> {
  if (typeof source !== 'string') return;
  const [input, existing] = await Promise.all([stat(source).catch(() => null), stat(output).catch(() => null)]);
  if (input !== null && existing !== null && input.dev === existing.dev && input.ino === existing.ino) {
    throw new ArchiveError('ERR_INVALID_OPTION', `the output ${output} is the archive being cleaned; write the copy to another path`);
  }
}

function refusal(report: CleanReport): ArchiveError<CleanReport> {
  const first = report.findings.find((finding) => finding.action === 'refused');
  const what = first === undefined ? 'refused' : `${first.code}${first.member === null ? '' : ` in ${JSON.stringify(first.member)}`}: ${first.message}`;
  return new ArchiveError('ERR_ARCHIVE_REFUSED', `archive refused, nothing written (${what})`, { report });
}
