import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { makeZip, torchZip } from './make-zip.js';

// The builder is checked against independent readers (Info-ZIP, CPython's
// zipfile, yauzl), never against itself, so a test passing means real tools
// see the archive the way the member list describes it.

const SIG_LOCAL = 0x04034b50;
const TEXT = 'All work and no play makes Jack a dull boy. '.repeat(40);

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mz-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function save(name: string, zip: Buffer): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, zip);
  return file;
}

interface Run {
  status: number | null;
  stdout: string;
  /** stdout then stderr, for messages whose stream does not matter. */
  output: string;
}

/** A pinned UTF-8 locale, or Info-ZIP prints non-ASCII names as #Uxxxx escapes. */
function run(command: string, args: string[]): Run {
  const result = spawnSync(command, args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LC_ALL: 'C.UTF-8' },
  });
  return { status: result.status, stdout: result.stdout, output: result.stdout + result.stderr };
}

interface PyEntry {
  name: string;
  flag: number;
  method: number;
  size: number;
  csize: number;
  mode: number;
  system: number;
  offset: number;
  /** From the local header's own name and extra lengths, not the central ones. */
  dataOffset: number;
  dateTime: number[];
  extra: string;
  body?: string;
  readError?: string;
}

interface PyReport {
  entries: PyEntry[];
  comment: string;
  /** First member failing its CRC, 'error: ...' if testzip() raised, null if all pass. */
  testzip: string | null;
}

const INSPECT = `
import json, struct, sys, zipfile
path = sys.argv[1]
raw = open(path, 'rb').read()
z = zipfile.ZipFile(path)
entries = []
for i in z.infolist():
    n, m = struct.unpack('<HH', raw[i.header_offset + 26:i.header_offset + 30])
    e = dict(name=i.filename, flag=i.flag_bits, method=i.compress_type, size=i.file_size,
             csize=i.compress_size, mode=i.external_attr >> 16, system=i.create_system,
             offset=i.header_offset, dataOffset=i.header_offset + 30 + n + m,
             dateTime=list(i.date_time), extra=i.extra.hex())
    try:
        e['body'] = z.read(i).hex()
    except Exception as error:
        e['readError'] = str(error)
    entries.append(e)
try:
    bad = z.testzip()
except Exception as error:
    bad = 'error: ' + str(error)
print(json.dumps(dict(entries=entries, comment=z.comment.decode('latin1'), testzip=bad)))
`;

function python(file: string): PyReport {
  const result = run('python3', ['-c', INSPECT, file]);
  expect(result.status, result.output).toBe(0);
  return JSON.parse(result.stdout) as PyReport;
}

function hex(body: string | Buffer): string {
  return Buffer.from(body).toString('hex');
}

function entry(report: PyReport, index: number): PyEntry {
  const found = report.entries[index];
  if (found === undefined) throw new Error(`python saw no entry #${index}`);
  return found;
}

// Loaded untyped on purpose: the project's own declaration for 'yauzl' models
// only the options slipguard uses (decodeStrings: false), and these tests also
// need yauzl's default decoding.
interface YauzlEntry {
  fileName: string | Buffer;
  relativeOffsetOfLocalHeader: number;
  uncompressedSize: number;
}
interface YauzlZipFile {
  readEntry(): void;
  on(event: 'entry', listener: (entry: YauzlEntry) => void): void;
  on(event: 'end', listener: () => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
}
interface Yauzl {
  fromBuffer(buffer: Buffer, options: { lazyEntries: true; decodeStrings?: boolean }, callback: (error: Error | null, zipfile?: YauzlZipFile) => void): void;
}
const yauzl = createRequire(import.meta.url)('yauzl') as Yauzl;

function yauzlEntries(zip: Buffer, options: { decodeStrings?: boolean } = {}): Promise<YauzlEntry[]> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(zip, { ...options, lazyEntries: true }, (error, zipfile) => {
      if (!zipfile) return reject(error ?? new Error('yauzl gave no zipfile'));
      const entries: YauzlEntry[] = [];
      zipfile.on('entry', (found) => {
        entries.push(found);
        zipfile.readEntry();
      });
      zipfile.on('end', () => resolve(entries));
      zipfile.on('error', reject);
      zipfile.readEntry();
    });
  });
}

describe('makeZip', () => {
  it('writes stored and deflate members that unzip and python test and extract intact', () => {
    const file = save(
      'basic.zip',
      makeZip([
        { name: 'a.txt', body: 'hello' },
        { name: 'b.txt', body: TEXT, method: 'deflate' },
      ]),
    );

    const tested = run('unzip', ['-t', file]);
    expect(tested.status, tested.output).toBe(0);
    expect(tested.output).toMatch(/testing: a\.txt\s+OK/);
    expect(tested.output).toMatch(/testing: b\.txt\s+OK/);
    const listing = run('unzip', ['-l', file]).stdout;
    expect(listing).toMatch(/\b5\s+2023-11-14 22:13\s+a\.txt\n\s+1760\s+2023-11-14 22:13\s+b\.txt/);

    const report = python(file);
    expect(report.testzip).toBeNull();
    expect(report.entries.map((e) => [e.name, e.method, e.body])).toEqual([
      ['a.txt', 0, hex('hello')],
      ['b.txt', 8, hex(TEXT)],
    ]);
    expect(entry(report, 1).csize).toBeLessThan(TEXT.length);
    expect(entry(report, 0).dateTime).toEqual([2023, 11, 14, 22, 13, 20]);
  });

  it('writes flags, raw methods, mtime and extra fields as given', () => {
    const extraLocal = Buffer.from('cafe0200abcd', 'hex');
    const extraCentral = Buffer.from('beef0100ff', 'hex');
    const file = save(
      'fields.zip',
      makeZip([
        { name: 'ünï.txt', body: 'u' },
        { name: 'ünï.txt', body: 'u', utf8Flag: false },
        { name: 'aes', body: 'xx', method: 99, encrypted: true },
        { name: 'x', body: 'x', mtime: new Date(Date.UTC(2001, 0, 2, 3, 4, 6)), extraLocal, extraCentral },
      ]),
    );
    const report = python(file);
    expect(report.entries.map((e) => [e.name, e.flag, e.method])).toEqual([
      ['ünï.txt', 0x0800, 0],
      ['├╝n├».txt', 0, 0], // without bit 11 python decodes the UTF-8 bytes as cp437
      ['aes', 0x0001, 99],
      ['x', 0, 0],
    ]);
    expect(entry(report, 2).readError).toMatch(/encrypted/);
    const x = entry(report, 3);
    expect(x.dateTime).toEqual([2001, 1, 2, 3, 4, 6]);
    expect(x.extra).toBe(hex(extraCentral));
    const raw = fs.readFileSync(file);
    expect(raw.subarray(x.dataOffset - extraLocal.length, x.dataOffset)).toEqual(extraLocal);
  });

  it('sets the unix host and st_mode so readers see a symlink, a file and a directory', () => {
    const file = save(
      'modes.zip',
      makeZip([
        { name: 'link', body: '/etc/passwd', unixMode: 0o120777 },
        { name: 'f', body: 'x', unixMode: 0o100644 },
        { name: 'd/', unixMode: 0o040755 },
      ]),
    );
    const listing = run('zipinfo', [file]);
    expect(listing.status, listing.output).toBe(0);
    expect(listing.stdout).toMatch(/^lrwxrwxrwx .* unx .* link$/m);
    expect(listing.stdout).toMatch(/^-rw-r--r-- .* unx .* f$/m);
    expect(listing.stdout).toMatch(/^drwxr-xr-x .* unx .* d\/$/m);

    const report = python(file);
    expect(report.entries.map((e) => [e.system, e.mode])).toEqual([
      [3, 0o120777],
      [3, 0o100644],
      [3, 0o040755],
    ]);
  });

  it('writes a different local name while the central directory keeps the real one', async () => {
    const zip = makeZip([{ name: 'safe.txt', localName: '../evil.txt', body: 'x' }]);
    const file = save('localname.zip', zip);

    const report = python(file);
    const { name, offset, readError } = entry(report, 0);
    expect(name).toBe('safe.txt');
    expect(zip.readUInt32LE(offset)).toBe(SIG_LOCAL);
    expect(zip.subarray(offset + 30, offset + 30 + zip.readUInt16LE(offset + 26)).toString()).toBe('../evil.txt');
    expect(readError).toMatch(/File name in directory 'safe.txt' and header b'..\/evil.txt' differ/);

    const tested = run('unzip', ['-t', file]);
    expect(tested.status).toBe(1); // a warning, not an error: it extracts under the central name
    expect(tested.output).toContain('mismatching "local" filename (../evil.txt)');

    expect((await yauzlEntries(zip)).map((e) => e.fileName)).toEqual(['safe.txt']);
  });

  it('adds a Unicode Path field that Info-ZIP and yauzl honour and python ignores', async () => {
    const zip = makeZip([{ name: 'plain.txt', unicodePath: 'ünïcode.txt', body: 'x' }]);
    const file = save('unicode.zip', zip);

    const listing = run('unzip', ['-l', file]);
    expect(listing.status, listing.output).toBe(0);
    expect(listing.stdout).toContain('ünïcode.txt');
    expect(listing.stdout).not.toContain('plain.txt');

    expect(entry(python(file), 0).name).toBe('plain.txt');

    expect((await yauzlEntries(zip)).map((e) => e.fileName)).toEqual(['ünïcode.txt']);
    const [raw] = await yauzlEntries(zip, { decodeStrings: false });
    expect(String(raw?.fileName)).toBe('plain.txt');
  });

  it('puts real sizes and offsets in ZIP64 extra fields that python, unzip and yauzl read', async () => {
    const zip = makeZip([
      { name: 'a', body: 'hello', zip64: true },
      { name: 'b', body: TEXT, zip64: true, dataDescriptor: true, method: 'deflate' },
    ]);
    const file = save('zip64.zip', zip);

    const tested = run('unzip', ['-t', file]);
    expect(tested.status, tested.output).toBe(0);

    const report = python(file);
    expect(report.testzip).toBeNull();
    expect(report.entries.map((e) => [e.name, e.size, e.body])).toEqual([
      ['a', 5, hex('hello')],
      ['b', TEXT.length, hex(TEXT)],
    ]);
    for (const { offset, extra } of report.entries) {
      expect(extra.slice(0, 4)).toBe('0100'); // the central record carries a ZIP64 field
      expect(zip.readUInt32LE(offset)).toBe(SIG_LOCAL);
      expect(zip.readUInt32LE(offset + 22)).toBe(0xffffffff); // local uncompressed size defers to it too
    }

    const entries = await yauzlEntries(zip);
    expect(entries.map((e) => [e.relativeOffsetOfLocalHeader, e.uncompressedSize])).toEqual(report.entries.map((e) => [e.offset, e.size]));
  });

  it('points an entry at another member’s local header to make overlapping entries', async () => {
    const zip = makeZip([
      { name: 'a', body: 'AAAA' },
      { name: 'b', body: 'AAAA', localHeaderOf: 0 },
    ]);
    const file = save('overlap.zip', zip);

    const entries = await yauzlEntries(zip);
    expect(entries.map((e) => e.fileName)).toEqual(['a', 'b']);
    expect(entries[1]?.relativeOffsetOfLocalHeader).toBe(entries[0]?.relativeOffsetOfLocalHeader);
    expect(zip.indexOf(Buffer.from('PK\x03\x04', 'latin1'), 1)).toBe(-1); // b wrote no local header

    const tested = run('unzip', ['-t', file]);
    expect(tested.status).toBe(12);
    expect(tested.output).toContain('overlapped components (possible zip bomb)');
  });

  it('reorders and duplicates central records and writes the comment', async () => {
    const zip = makeZip(
      [
        { name: 'a', body: 'hello' },
        { name: 'b', body: 'bye' },
      ],
      { centralOrder: [1, 0], duplicateCentral: [0], comment: 'hi there' },
    );
    const file = save('duplicate.zip', zip);

    const report = python(file);
    expect(report.entries.map((e) => [e.name, e.body])).toEqual([
      ['b', hex('bye')],
      ['a', hex('hello')],
      ['a', hex('hello')],
    ]);
    expect(report.comment).toBe('hi there');
    expect((await yauzlEntries(zip)).map((e) => e.fileName)).toEqual(['b', 'a', 'a']);

    const tested = run('unzip', ['-t', file]);
    expect(tested.status).toBe(12); // two records sharing one local header look like a bomb
  });

  it('declares an overridden CRC, which unzip -t and python reject', () => {
    const file = save('crc.zip', makeZip([{ name: 'a', body: 'hello', crc: 0xdeadbeef }]));

    const tested = run('unzip', ['-t', file]);
    expect(tested.status).toBe(2);
    expect(tested.output).toContain('bad CRC 3610a686  (should be deadbeef)');
    expect(python(file).testzip).toBe('a');
  });

  it('declares overridden sizes, which every reader takes from the central directory', async () => {
    const zip = makeZip([{ name: 'a', body: 'hello', uncompressedSize: 3 }]);
    const file = save('sizes.zip', zip);

    expect(entry(python(file), 0)).toMatchObject({ size: 3, csize: 5 });
    const tested = run('unzip', ['-t', file]);
    expect(tested.status).toBe(1);
    expect(tested.output).toContain('ucsize 3 <> csize 5 for STORED entry');
    await expect(yauzlEntries(zip)).rejects.toThrow('compressed/uncompressed size mismatch for stored file: 5 != 3');
  });

  it('keeps offsets absolute after a prefix, so unzip lists the entries without complaint', () => {
    const prefix = Buffer.from('MZ'.padEnd(100, '\0'), 'latin1');
    const file = save('prefix.zip', makeZip([{ name: 'a', body: 'hello' }], { prefix }));

    const listing = run('unzip', ['-l', file]);
    expect(listing.status, listing.output).toBe(0);
    expect(listing.stdout).toMatch(/\b5\s+2023-11-14 22:13\s+a\n/);
    expect(listing.output).not.toMatch(/extra bytes/);
    expect(entry(python(file), 0)).toMatchObject({ offset: prefix.length, body: hex('hello') });
  });

  it('rejects references to members that do not exist or have no local header', () => {
    expect(() => makeZip([{ name: 'a' }], { centralOrder: [1] })).toThrow(RangeError);
    expect(() => makeZip([{ name: 'a', localHeaderOf: 0 }])).toThrow(/no local header/);
  });
});

describe('torchZip', () => {
  const files = { 'data.pkl': '\x80\x02}q\x00.', version: '3\n', 'data/0': Buffer.alloc(100) };

  it('writes the torch.save layout: stored, bit 3 + bit 11, descriptors, 64-byte aligned data', () => {
    const zip = torchZip('archive', files);
    const file = save('torch.zip', zip);

    const tested = run('unzip', ['-t', file]);
    expect(tested.status, tested.output).toBe(0);
    expect(run('unzip', ['-Z', '-v', file]).stdout.match(/extended local header:\s+yes/g)).toHaveLength(3);

    const report = python(file);
    expect(report.testzip).toBeNull();
    expect(report.entries.map((e) => [e.name, e.flag, e.method, e.body])).toEqual([
      ['archive/data.pkl', 0x0808, 0, hex(files['data.pkl'])],
      ['archive/version', 0x0808, 0, hex(files.version)],
      ['archive/data/0', 0x0808, 0, hex(files['data/0'])],
    ]);
    for (const { offset, dataOffset } of report.entries) {
      expect(dataOffset % 64).toBe(0);
      expect(zip.readUInt32LE(offset + 14)).toBe(0); // CRC deferred to the descriptor
      expect(zip.readUInt32LE(offset + 18)).toBe(0); // and so is the size
    }
  });

  it('ends with ZIP64 records that readers must follow, the classic record holding only sentinels', async () => {
    const zip = torchZip('archive', files);
    const eocd = zip.length - 22;
    expect(zip.readUInt16LE(eocd + 10)).toBe(0xffff);
    expect(zip.readUInt32LE(eocd + 16)).toBe(0xffffffff);
    expect(zip.readUInt32LE(eocd - 20)).toBe(0x07064b50);

    expect((await yauzlEntries(zip)).map((e) => e.fileName)).toEqual(Object.keys(files).map((f) => `archive/${f}`));
    expect(python(save('torch-end.zip', zip)).entries).toHaveLength(3);
  });

  it('writes empty records without bit 3 or a descriptor, as miniz does', () => {
    const file = save('torch-empty.zip', torchZip('m', { empty: '', version: '3\n' }));
    const tested = run('unzip', ['-t', file]);
    expect(tested.status, tested.output).toBe(0);
    expect(python(file).entries.map((e) => [e.name, e.flag, e.dataOffset % 64])).toEqual([
      ['m/empty', 0x0800, 0],
      ['m/version', 0x0808, 0],
    ]);
  });
});
