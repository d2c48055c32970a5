import { describe, expect, it } from 'vitest';
import type { Compression } from '../../src/detect/detect-format.js';
import { ModelSniffer, type ModelKind } from '../../src/detect/detect-model.js';

// The model kinds as issue 5 defines them, from the names of written members. A trailing `/`
// marks a folder, as in the other vet tables; names are already split (no `./`).

function kindOf(names: readonly string[], format: 'tar' | 'zip' | null, compression: Compression | null = null): ModelKind | null {
  const sniffer = new ModelSniffer();
  for (const name of names)
    sniffer.add(
      name.split('/').filter((part) => part !== ''),
      name.endsWith('/'),
    );
  return sniffer.kind(format, compression);
}

const torch = ['archive/data.pkl', 'archive/data/0', 'archive/version'];

describe('nemo: a tar, plain or gzip, with model_config.yaml at its root', () => {
  it.each([
    [['model_config.yaml', 'model_weights.ckpt'], null, 'nemo'],
    [['/', 'model_config.yaml', 'model_weights.ckpt'], null, 'nemo'], // the root entry, NeMo's ./
    [['model_config.yaml'], 'gzip', 'nemo'],
    [['model_config.yaml'], 'bzip2', null],
    [['model_config.yaml'], 'zstd', null],
    [['model_config.yaml'], 'xz', null],
    [['model/model_config.yaml', 'model/model_weights.ckpt'], null, null],
    [['model_config.yaml/', 'model_config.yaml/x'], null, null],
    [['model_weights.ckpt'], null, null],
  ] as const)('%j (%s) -> %s', (names, compression, kind) => {
    expect(kindOf(names, 'tar', compression)).toBe(kind);
  });

  it('is never a zip, whatever it holds', () => {
    expect(kindOf(['model_config.yaml', 'model_weights.ckpt'], 'zip')).toBe(null);
  });
});

describe('pytorch: a zip whose single top folder holds data.pkl and version, .data/version or byteorder', () => {
  it.each([
    [torch, 'pytorch'],
    [['archive/', ...torch], 'pytorch'],
    [['m/data.pkl', 'm/byteorder', 'm/data/0'], 'pytorch'],
    [['m/data.pkl', 'm/.data/version', 'm/constants.pkl', 'm/code/__torch__.py'], 'pytorch'], // format version 6+
    [['m/data.pkl', 'm/data/0'], null],
    [['m/version', 'm/byteorder'], null],
    [[...torch, 'other/x'], null],
    [[...torch, 'README'], null],
    [['data.pkl', 'version'], null],
    [['m/sub/data.pkl', 'm/sub/version'], null],
    [['m/data.pkl/', 'm/version'], null],
  ] as const)('%j -> %s', (names, kind) => {
    expect(kindOf(names, 'zip')).toBe(kind);
  });

  it('is never a tar', () => {
    expect(kindOf(torch, 'tar')).toBe(null);
  });
});

describe('keras, numpy, torchserve', () => {
  it.each([
    [['metadata.json', 'config.json', 'model.weights.h5'], 'keras'],
    [['metadata.json', 'config.json', 'model.weights.h5', 'assets/vocab.txt'], 'keras'],
    [['metadata.json', 'config.json'], null],
    [['k/metadata.json', 'k/config.json', 'k/model.weights.h5'], null],
    [['a.npy', 'b.npy'], 'numpy'],
    [['a/b.npy'], 'numpy'],
    [['a.npy', 'b.txt'], null],
    [['d/', 'd/a.npy'], null],
    [['a.npz'], null],
    [['MAR-INF/MANIFEST.json', 'model.pt', 'handler.py'], 'torchserve'],
    [['MAR-INF/MANIFEST.json/'], null],
    [['x/MAR-INF/MANIFEST.json'], null],
    [[], null],
    [['README.md', 'weights.bin'], null],
  ] as const)('%j -> %s', (names, kind) => {
    expect(kindOf(names, 'zip')).toBe(kind);
  });

  it('prefers torchserve, then keras, then pytorch, then numpy', () => {
    expect(kindOf(['MAR-INF/MANIFEST.json', 'metadata.json', 'config.json', 'model.weights.h5'], 'zip')).toBe('torchserve');
    expect(kindOf(['MAR-INF/MANIFEST.json'], 'zip')).toBe('torchserve');
    expect(kindOf(['MAR-INF/MANIFEST.json'], 'tar')).toBe(null);
  });

  it('says nothing for an archive refused before its format was settled', () => {
    expect(kindOf(['model_config.yaml'], null)).toBe(null);
  });
});
