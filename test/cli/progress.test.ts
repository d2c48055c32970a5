import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main, type CliIo } from '../../src/cli/main.js';
import { makeTar } from '../helpers/make-tar.js';
import { makeSandbox, type Sandbox } from '../helpers/sandbox.js';

let box: Sandbox;
let archive: string;
beforeEach(() => {
  box = makeSandbox();
  archive = join(box.root, 'model.tar');
  writeFileSync(archive, TAR);
});
afterEach(() => box.cleanup());

// Ten 10 KiB members: after member k the walk is at k * (512 + 10240) bytes of 108,544.
const TAR = makeTar(Array.from({ length: 10 }, (_, i) => ({ name: `shard-${i}.bin`, body: Buffer.alloc(10240, i) })));
const THRESHOLD = 50_000;
/** Clear to the end of the line; after a `\r`, it erases the bar. */
const CLEAR = '\x1b[K';
const ERASE = `\r${CLEAR}`;

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

interface Terminal {
  /** isTTY on the stderr given to main; undefined gives a plain pipe. */
  readonly tty?: boolean;
  /** The terminal's width as stderr reports it. */
  readonly columns?: number;
  /** Milliseconds between two readings of the clock. */
  readonly step?: number;
  readonly threshold?: number;
  readonly stdin?: Buffer;
  readonly signal?: AbortSignal;
  readonly onTick?: (ms: number) => void;
}

/** Runs main with a stderr that says it is a terminal (or not) and a clock that moves `step` ms per reading. */
async function run(args: string[], terminal: Terminal = {}): Promise<Run> {
  const { tty = true, columns = 80, step = 1000, threshold = THRESHOLD, stdin = Buffer.alloc(0), signal, onTick } = terminal;
  const stdout = new PassThrough();
  const stderr = Object.assign(new PassThrough(), tty ? { isTTY: true, columns } : {});
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (chunk: Buffer) => out.push(chunk));
  stderr.on('data', (chunk: Buffer) => err.push(chunk));
  let ms = -step;
  const now = (): number => {
    ms += step;
    onTick?.(ms);
    return ms;
  };
  const io: CliIo = { stdout, stderr, stdin: Readable.from([stdin]), progressThreshold: threshold, now, ...(signal === undefined ? {} : { signal }) };
  const code = await main(args, io);
  return { code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}

/** The lines drawn, in order, and what was written after the last one. */
function draws(stderr: string): string[] {
  expect(stderr.startsWith('\r')).toBe(true);
  return stderr
    .split('\r')
    .slice(1)
    .map((part) => (part.endsWith(CLEAR) ? part.slice(0, -CLEAR.length) : part));
}

describe('the progress bar', () => {
  it('extract draws bytes, rate and ETA on a terminal, once per member here, then erases the line', async () => {
    const result = await run(['extract', archive, '-C', box.dest]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('extracted 10 files');
    const lines = draws(result.stderr);
    expect(lines).toHaveLength(11);
    // 10,752 bytes in one second; 97,792 left.
    expect(lines[0]).toBe('[#...................]   9%  10.5 KiB / 106.0 KiB  10.5 KiB/s  ETA 0:10');
    expect(lines[1]).toBe('[###.................]  19%  21.0 KiB / 106.0 KiB  10.5 KiB/s  ETA 0:09');
    expect(lines[10]).toBe('');
    expect(result.stderr.endsWith(ERASE)).toBe(true);
  });

  it('fits the terminal, and takes one that gives no width (0) as 80 wide', async () => {
    const narrow = await run(['extract', archive, '-C', box.dest], { columns: 40 });
    expect(draws(narrow.stderr)[0]).toBe('  9%  10.5 KiB / 106.0 KiB  10.5 KiB/s');
    const unknown = await run(['extract', archive, '-C', box.dest, '--overwrite'], { columns: 0 });
    expect(draws(unknown.stderr)[0]).toBe('[#...................]   9%  10.5 KiB / 106.0 KiB  10.5 KiB/s  ETA 0:10');
  });

  it('redraws at most ten times a second', async () => {
    // The clock moves 50 ms per reading: of the ten members, every second one is drawn.
    const result = await run(['extract', archive, '-C', box.dest], { step: 50 });
    expect(draws(result.stderr)).toHaveLength(5 + 1);
  });

  it('draws nothing when the archive is not over the threshold', async () => {
    const result = await run(['extract', archive, '-C', box.dest], { threshold: TAR.length });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
  });

  it('draws nothing when stderr is not a terminal', async () => {
    const result = await run(['extract', archive, '-C', box.dest], { tty: false });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
  });

  it.each([['--quiet'], ['-q']])('draws nothing with %s', async (flag) => {
    for (const args of [
      ['extract', archive, '-C', box.dest, flag, '--overwrite'],
      ['scan', archive, flag],
      ['clean', archive, '-o', join(box.root, `clean${flag}.tar`), flag],
    ]) {
      const result = await run(args);
      expect(result.code, args.join(' ')).toBe(0);
      expect(result.stderr, args.join(' ')).toBe('');
    }
  });

  it('--quiet still prints errors', async () => {
    const result = await run(['extract', join(box.root, 'missing.tar'), '-C', box.dest, '-q']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^slipguard: ERR_SOURCE_UNREADABLE: /u);
  });

  it('scan of one archive draws it; scan of a folder does not', async () => {
    const one = await run(['scan', archive]);
    expect(one.code).toBe(0);
    expect(draws(one.stderr)[0]).toBe('[#...................]   9%  10.5 KiB / 106.0 KiB  10.5 KiB/s  ETA 0:10');
    mkdirSync(join(box.root, 'models'));
    writeFileSync(join(box.root, 'models', 'a.tar'), TAR);
    const folder = await run(['scan', join(box.root, 'models')]);
    expect(folder.code).toBe(0);
    expect(folder.stderr).toBe('');
  });

  it('clean draws it and still writes the copy', async () => {
    const output = join(box.root, 'model.clean.tar');
    const result = await run(['clean', archive, '-o', output]);
    expect(result.code).toBe(0);
    expect(draws(result.stderr).length).toBeGreaterThan(1);
    expect(result.stderr.endsWith(ERASE)).toBe(true);
    expect(existsSync(output)).toBe(true);
  });

  it('from standard input: no share, no bar, no ETA, and only once past the threshold', async () => {
    const result = await run(['extract', '-', '-C', box.dest], { stdin: TAR });
    expect(result.code).toBe(0);
    const lines = draws(result.stderr);
    // Members 5 to 10 are past 50,000 bytes; the clock was first read at the start, then at member 5.
    expect(lines).toHaveLength(6 + 1);
    expect(lines[0]).toBe('52.5 KiB  52.5 KiB/s');
    expect(result.stderr).not.toContain('ETA');
  });

  it('is erased before an error is printed', async () => {
    const controller = new AbortController();
    // Stopped at the third drawing, as Ctrl-C would.
    const result = await run(['extract', archive, '-C', box.dest], { signal: controller.signal, onTick: (ms) => ms === 3000 && controller.abort() });
    expect(result.code).toBe(2);
    const erased = result.stderr.lastIndexOf(ERASE);
    expect(erased).toBeGreaterThan(0);
    expect(result.stderr.slice(erased + ERASE.length)).toMatch(/^slipguard: ERR_ABORTED: /u);
  });
});
