import { lstat, writeFile } from 'node:fs/promises';
import type { Readable, Writable } from 'node:stream';
import { parseArgs, type ParseArgsConfig } from 'node:util';

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;
import type { ExtractNemoReport } from '../commands/extract-nemo.js';
import type { TreeScan } from '../commands/scan-tree.js';
import { ArchiveError, isArchiveError } from '../errors.js';
import type { Limits } from '../limits.js';
import type { CleanReport, ExtractReport, ScanReport } from '../report.js';
import { VERSION } from '../version.js';
import { escapeName } from './escape-name.js';
import { COLOUR, formatReport, PLAIN, plural, type Style } from './format-report.js';
import { HELP } from './help-text.js';
import { parseSize } from './parse-size.js';
import { PROGRESS_THRESHOLD, progressBar, type ProgressBar } from './progress-bar.js';

export interface CliIo {
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly stdin: Readable;
  /** Colour the human output: the binary sets it when stdout is a TTY and NO_COLOR is unset. */
  readonly colour?: boolean;
  /**
   * Aborts the running command (the binary fires it on SIGINT and SIGTERM): the command stops,
   * removes its staging, and main returns 2 with ERR_ABORTED. main itself never touches process.
   */
  readonly signal?: AbortSignal;
  /**
   * A progress bar is drawn on stderr when it is a terminal (`isTTY`), `--quiet` is not given,
   * and the archive is over this many bytes. Default 64 MiB; tests lower it.
   */
  readonly progressThreshold?: number;
  /** Milliseconds, for the progress bar's rate and redraws. Default `performance.now`. */
  readonly now?: () => number;
}

const LIMIT_FLAGS = {
  'max-size': { type: 'string' },
  'max-entries': { type: 'string' },
  'max-file-size': { type: 'string' },
  'max-ratio': { type: 'string' },
} as const;
const COMMON = {
  policy: { type: 'string' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  help: { type: 'boolean', short: 'h' },
  ...LIMIT_FLAGS,
} as const;
const SCAN_FLAGS = { ...COMMON, sarif: { type: 'string' } } as const;
const EXTRACT_FLAGS = {
  ...COMMON,
  C: { type: 'string', short: 'C' },
  d: { type: 'string', short: 'd' },
  overwrite: { type: 'boolean' },
  nemo: { type: 'boolean' },
} as const;
const CLEAN_FLAGS = {
  json: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  help: { type: 'boolean', short: 'h' },
  ...LIMIT_FLAGS,
  output: { type: 'string', short: 'o' },
  overwrite: { type: 'boolean' },
} as const;

/** The CLI: parses argv, runs one command, prints, and returns the exit code. Never exits by itself. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      (command === undefined ? io.stderr : io.stdout).write(`${HELP.main}\n`);
      return command === undefined ? 2 : 0;
    }
    if (command === '--version' || command === '-V') {
      io.stdout.write(`slipguard ${VERSION}\n`);
      return 0;
    }
    if (command === 'extract') return await runExtract(rest, io);
    if (command === 'scan') return await runScan(rest, io);
    if (command === 'clean') return await runClean(rest, io);
    throw usage(`unknown command ${JSON.stringify(command)}`);
  } catch (error) {
    return reportError(error, io, argv.includes('--json'));
  }
}

async function runExtract(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, EXTRACT_FLAGS);
  if (values.help === true) return help(io, 'extract');
  if (positionals.length !== 1) throw usage('extract takes exactly one archive');
  if (values.C !== undefined && values.d !== undefined) throw usage('give -C or -d, not both');
  const destination = values.C ?? values.d ?? '.';
  const archive = positionals[0]!;
  try {
    // Commands are loaded when run: `--help` or a scan does not load the writers.
    const run = values.nemo === true ? (await import('../commands/extract-nemo.js')).extractNemo : (await import('../commands/extract.js')).extract;
    const progress = bar(io, values.quiet);
    const report = await progress.during(
      run(source(archive, io), destination, {
        policy: policy(values.policy),
        overwrite: values.overwrite === true,
        limits: limits(values),
        ...abortable(io),
        ...progress.options,
      }),
    );
    const code = print(report, 'extract', values.json === true, io);
    if ('nemo' in report && values.json !== true) io.stdout.write((await import('./format-nemo.js')).formatNemo((report as ExtractNemoReport).nemo));
    return code;
  } catch (error) {
    if (isArchiveError(error) && error.code === 'ERR_ARCHIVE_REFUSED') return print(error.report as ExtractReport, 'extract', values.json === true, io);
    throw error;
  }
}

/** Exit 0: nothing removed; 1: members removed; 2: refused (a container finding), nothing written. */
async function runClean(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, CLEAN_FLAGS);
  if (values.help === true) return help(io, 'clean');
  if (positionals.length !== 1) throw usage('clean takes exactly one archive');
  if (values.output === undefined) throw usage('clean needs -o <file>, the path of the cleaned archive');
  if (values.output === '-') throw usage('clean writes a file and renames it into place; -o - (standard output) is not supported');
  try {
    const { clean } = await import('../commands/clean.js');
    const progress = bar(io, values.quiet);
    const options = { overwrite: values.overwrite === true, limits: limits(values), ...abortable(io), ...progress.options };
    const report = await progress.during(clean(source(positionals[0]!, io), values.output, options));
    return print(report, 'clean', values.json === true, io);
  } catch (error) {
    if (!isArchiveError(error) || error.code !== 'ERR_ARCHIVE_REFUSED') throw error;
    print(error.report as CleanReport, 'clean', values.json === true, io);
    return 2;
  }
}

async function runScan(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, SCAN_FLAGS);
  if (values.help === true) return help(io, 'scan');
  if (positionals.length === 0) throw usage('scan takes at least one archive or folder');
  if (positionals.includes('-')) {
    if (positionals.length > 1) throw usage('- (standard input) cannot be scanned with other paths');
    const { scan } = await import('../commands/scan.js');
    const progress = bar(io, values.quiet);
    const report = await progress.during(scan(io.stdin, { policy: policy(values.policy), limits: limits(values), ...abortable(io), ...progress.options }));
    if (values.sarif !== undefined) await writeSarif(values.sarif, [report]);
    return print(report, 'scan', values.json === true, io);
  }
  // One archive gets a bar; several are scanned four at a time, and one line cannot show them.
  const oneArchive = positionals.length === 1 && !(await isFolder(positionals[0]!));
  const { scanTree } = await import('../commands/scan-tree.js');
  const progress = bar(io, values.quiet === true || !oneArchive);
  const tree = await progress.during(scanTree(positionals, { policy: policy(values.policy), limits: limits(values), ...abortable(io), ...progress.options }));
  const reports = tree.reports.filter((report): report is ScanReport => 'verdict' in report);
  if (values.sarif !== undefined) await writeSarif(values.sarif, reports);
  const single = positionals.length === 1 && tree.reports.length === 1 && tree.summary.notArchives === 0;
  if (values.json === true) {
    io.stdout.write(`${JSON.stringify(single ? tree.reports[0] : tree, null, 2)}\n`);
  } else {
    for (const report of tree.reports) {
      if ('verdict' in report) io.stdout.write(formatReport(report, 'scan', style(io)));
      else io.stderr.write(`slipguard: ${escapeName(report.archive)}: ${report.error.code}: ${escapeName(report.error.message)}\n`);
    }
    if (!single) io.stdout.write(`${summaryLine(tree)}\n`);
  }
  if (tree.summary.failed > 0) return 2;
  return tree.summary.refused + tree.summary.skipped > 0 ? 1 : 0;
}

function summaryLine(tree: TreeScan): string {
  const { archives, accepted, skipped, refused, failed, notArchives } = tree.summary;
  const parts = [
    `${accepted} clean`,
    `${refused} refused`,
    ...(skipped > 0 ? [`${skipped} with members to drop`] : []),
    ...(failed > 0 ? [`${failed} unreadable`] : []),
  ];
  return `${plural(archives, 'archive')}: ${parts.join(', ')}${notArchives > 0 ? `; ${plural(notArchives, 'other file')} skipped` : ''}`;
}

async function writeSarif(path: string, reports: readonly ScanReport[]): Promise<void> {
  try {
    const { formatSarif } = await import('./format-sarif.js');
    await writeFile(path, `${JSON.stringify(formatSarif(reports, VERSION), null, 2)}\n`);
  } catch (error) {
    throw new ArchiveError('ERR_WRITE_FAILED', `cannot write ${path}: ${(error as Error).message}`, { cause: error });
  }
}

/** The progress bar for one archive's command: drawn only on a terminal, without --quiet, for a large archive. */
function bar(io: CliIo, quiet: boolean | undefined): ProgressBar {
  return progressBar({
    stderr: io.stderr,
    quiet: quiet === true,
    threshold: io.progressThreshold ?? PROGRESS_THRESHOLD,
    now: io.now ?? (() => performance.now()),
  });
}

async function isFolder(path: string): Promise<boolean> {
  return lstat(path).then(
    (stats) => stats.isDirectory(),
    () => false,
  );
}

/** The io's signal as a command option, when there is one. */
function abortable(io: CliIo): { signal?: AbortSignal } {
  return io.signal === undefined ? {} : { signal: io.signal };
}

function style(io: CliIo): Style {
  return io.colour === true ? COLOUR : PLAIN;
}

function parse<T extends ParseArgsOptionsConfig>(
  args: readonly string[],
  options: T,
): ReturnType<typeof parseArgs<{ args: string[]; options: T; allowPositionals: true; strict: true }>> {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw usage((error as Error).message.split('\n')[0] ?? 'bad arguments');
  }
}

function source(archive: string, io: CliIo): string | Readable {
  return archive === '-' ? io.stdin : archive;
}

function policy(value: string | undefined): 'refuse' | 'skip' {
  if (value === undefined || value === 'refuse' || value === 'skip') return value ?? 'refuse';
  throw usage(`--policy takes refuse or skip, not ${JSON.stringify(value)}`);
}

function limits(values: Partial<Record<keyof typeof LIMIT_FLAGS, string | boolean | undefined>>): Partial<Limits> {
  const result: Record<string, number> = {};
  const names = { 'max-size': 'maxSize', 'max-entries': 'maxEntries', 'max-file-size': 'maxFileSize', 'max-ratio': 'maxRatio' } as const;
  for (const [flag, key] of Object.entries(names)) {
    const text = values[flag as keyof typeof names];
    if (typeof text !== 'string') continue;
    const value = flag === 'max-size' || flag === 'max-file-size' ? parseSize(text) : /^[1-9][0-9]*$/u.test(text) ? Number(text) : null;
    if (value === null) throw usage(`--${flag} takes a positive ${flag.endsWith('size') ? 'size such as 64M or 2G' : 'integer'}, not ${JSON.stringify(text)}`);
    result[key] = value;
  }
  return result;
}

function print(report: ScanReport, command: 'scan' | 'extract' | 'clean', json: boolean, io: CliIo): number {
  io.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report, command, style(io)));
  return exitCode(report);
}

function exitCode(report: ScanReport): number {
  return report.verdict === 'accepted' ? 0 : 1;
}

function help(io: CliIo, command: 'extract' | 'scan' | 'clean'): number {
  io.stdout.write(`${HELP[command]}\n`);
  return 0;
}

function usage(message: string): ArchiveError {
  return new ArchiveError('ERR_INVALID_OPTION', `${message} (see slipguard --help)`);
}

/** One line on stderr with the code, never a stack trace; exit 2. */
function reportError(error: unknown, io: CliIo, json: boolean, archive?: string): number {
  const code = isArchiveError(error) ? error.code : 'ERR_INTERNAL';
  const message = error instanceof Error ? error.message : String(error);
  const where = archive === undefined ? '' : `${escapeName(archive)}: `;
  io.stderr.write(`slipguard: ${where}${code}: ${escapeName(message)}\n`);
  if (json) io.stdout.write(`${JSON.stringify({ error: { code, message } })}\n`);
  return 2;
}
