import type { Compression } from './detect-format.js';

export type ModelKind = 'nemo' | 'pytorch' | 'keras' | 'numpy' | 'torchserve';

/** Keras 3 writes these three at the root of a `.keras` zip (keras.saving.save_model). */
const KERAS_FILES: ReadonlySet<string> = new Set(['metadata.json', 'config.json', 'model.weights.h5']);
/**
 * Beside `data.pkl` in a torch zip's top folder: `version` (torch.save, format version 3),
 * `.data/version` (PyTorchStreamWriter writes it there from format version 6) or `byteorder`
 * (written by every torch since 2.1).
 */
const TORCH_VERSION_FILES: ReadonlySet<string> = new Set(['version', '.data/version', 'byteorder']);

/**
 * Recognises the model kind from the names of the members that are written, as they stream
 * past, keeping a few flags, never the list of names:
 * - `nemo`: a tar, plain or gzip, with `model_config.yaml` at its root (or `./model_config.yaml`);
 * - `pytorch`: a zip whose members all lie in one top folder, which holds `data.pkl` and
 *   `version`, `.data/version` or `byteorder`;
 * - `keras`: a zip with `metadata.json`, `config.json` and `model.weights.h5` at its root;
 * - `numpy`: a zip whose members are all `.npy` files (np.savez, np.savez_compressed);
 * - `torchserve`: a zip with `MAR-INF/MANIFEST.json` (torch-model-archiver's `.mar`);
 * - otherwise null. The first that matches, in the order torchserve, keras, pytorch, numpy.
 */
export class ModelSniffer {
  #members = 0;
  #nemoConfig = false;
  readonly #keras = new Set<string>();
  #marManifest = false;
  #onlyNpy = true;
  #top: string | null = null;
  #oneTopFolder = true;
  #torchPickle = false;
  #torchVersion = false;

  /** A written member: its name's components (empty for the root, NeMo's `./`). */
  add(parts: readonly string[], isDirectory: boolean): void {
    if (parts.length === 0) return;
    this.#members += 1;
    const name = parts.join('/');
    if (parts.length === 1 && !isDirectory) {
      if (name === 'model_config.yaml') this.#nemoConfig = true;
      if (KERAS_FILES.has(name)) this.#keras.add(name);
    }
    if (name === 'MAR-INF/MANIFEST.json' && !isDirectory) this.#marManifest = true;
    if (isDirectory || !name.endsWith('.npy')) this.#onlyNpy = false;
    this.#top ??= parts[0]!;
    if (parts[0] !== this.#top || (parts.length === 1 && !isDirectory)) this.#oneTopFolder = false;
    if (parts.length >= 2 && !isDirectory) {
      const inner = parts.slice(1).join('/');
      if (inner === 'data.pkl') this.#torchPickle = true;
      if (TORCH_VERSION_FILES.has(inner)) this.#torchVersion = true;
    }
  }

  kind(format: 'tar' | 'zip' | null, compression: Compression | null): ModelKind | null {
    if (format === 'tar') return this.#nemoConfig && (compression === null || compression === 'gzip') ? 'nemo' : null;
    if (format !== 'zip') return null;
    if (this.#marManifest) return 'torchserve';
    if (this.#keras.size === KERAS_FILES.size) return 'keras';
    if (this.#oneTopFolder && this.#torchPickle && this.#torchVersion) return 'pytorch';
    if (this.#members > 0 && this.#onlyNpy) return 'numpy';
    return null;
  }
}
