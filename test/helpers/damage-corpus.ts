import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { gzipTar, makeTar, type TarMember } from './make-tar.js';
import { makeZip, torchZip } from './make-zip.js';
import { FIXTURES } from './run-cli.js';

/**
 * The archives that truncation and corruption tests damage: every committed fixture, and
 * generated tar, tar.gz and zip archives in the shapes models come in (a NeMo tar with its
 * `./` root, PAX and GNU long names and a torch checkpoint inside; a torch.save zip with
 * aligned stored members, data descriptors and ZIP64 end records; a deflated zip).
 */
export interface CorpusArchive {
  readonly name: string;
  readonly bytes: Buffer;
}

const checkpoint = torchZip('archive', {
  'data.pkl': Buffer.from('\x80\x02}q\x00.', 'latin1'),
  'data/0': randomBytes(700),
  version: '3\n',
  byteorder: 'little',
});

const nemoMembers: TarMember[] = [
  { name: './', type: '5' },
  { name: './model_config.yaml', body: 'name: tiny\nsample_rate: 16000\n' },
  { name: `./${'t'.repeat(120)}_tokenizer.model`, pax: { path: `./${'t'.repeat(120)}_tokenizer.model` }, body: 'tokenizer' },
  { name: 'gnu', longName: `./${'v'.repeat(110)}_vocab.txt`, body: 'a\nb\nc\n' },
  { name: './model_weights.ckpt', body: checkpoint },
];

export function damageCorpus(): CorpusArchive[] {
  const fixtures = readdirSync(FIXTURES)
    .filter((name) => /\.(nemo|tar|tgz|gz|bz2|xz|zst|zip|pt|pth|ckpt|keras|npz|mar)$/u.test(name))
    .sort()
    .map((name) => ({ name: `fixtures/${name}`, bytes: readFileSync(join(FIXTURES, name)) }));
  return [
    ...fixtures,
    { name: 'generated NeMo tar', bytes: makeTar(nemoMembers) },
    { name: 'generated NeMo tar.gz', bytes: gzipTar(nemoMembers) },
    {
      name: 'generated zip (deflate, stored, folder, data descriptor, ZIP64)',
      bytes: makeZip(
        [
          { name: 'config.json', body: '{"a": 1}\n'.repeat(20), method: 'deflate' },
          { name: 'assets/', unixMode: 0o040755 },
          { name: 'assets/vocab.txt', body: 'a\nb\n', dataDescriptor: true },
          { name: 'weights.bin', body: randomBytes(900), zip64: true },
        ],
        { zip64End: true },
      ),
    },
    { name: 'generated torch.save zip', bytes: checkpoint },
  ];
}
