export type ModelKind = 'nemo' | 'pytorch' | 'keras' | 'numpy' | 'torchserve';

/**
 * Recognises the model kind from member names as they stream past, keeping only a few
 * flags, never the list of names.
 */
export class ModelSniffer {
  #tops = new Set<string>();
  #rootFiles = new Set<string>();
  #torchMarkers = 0;
  #onlyNpy = true;
  #members = 0;

  add(parts: readonly string[], isDirectory: boolean): void {
    if (parts.length === 0) return;
    this.#members += 1;
    if (this.#tops.size < 2) this.#tops.add(parts[0]!);
    if (parts.length === 1 && !isDirectory) this.#rootFiles.add(parts[0]!);
    if (parts.length === 2 && ['data.pkl', 'version', 'byteorder'].includes(parts[1]!)) this.#torchMarkers |= marker(parts[1]!);
    if (parts.join('/') === 'MAR-INF/MANIFEST.json') this.#rootFiles.add('MAR-INF/MANIFEST.json');
    if (!isDirectory && !parts[parts.length - 1]!.endsWith('.npy')) this.#onlyNpy = false;
  }

  kind(format: 'tar' | 'zip' | null): ModelKind | null {
    const root = this.#rootFiles;
    if (format === null) return null;
    if (format === 'tar') return root.has('model_config.yaml') ? 'nemo' : null;
    if (root.has('MAR-INF/MANIFEST.json')) return 'torchserve';
    if (root.has('metadata.json') && root.has('config.json') && root.has('model.weights.h5')) return 'keras';
    if (this.#tops.size === 1 && (this.#torchMarkers & 1) !== 0 && (this.#torchMarkers & 6) !== 0) return 'pytorch';
    if (this.#members > 0 && this.#onlyNpy) return 'numpy';
    return null;
  }
}

function marker(name: string): number {
  return name === 'data.pkl' ? 1 : name === 'version' ? 2 : 4;
}
