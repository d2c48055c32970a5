import { join } from 'node:path';
import { NemoLayoutCollector } from '../detect/nemo-layout.js';
import { ArchiveError } from '../errors.js';
import type { ExtractOptions } from '../options.js';
import type { ArchiveSource } from '../readers/open-archive.js';
import type { ExtractReport } from '../report.js';
import { extractObserved } from './extract.js';

/** Absolute paths of a NeMo model's parts, as extracted. */
export interface NemoFiles {
  /** `model_config.yaml`. */
  readonly config: string;
  /** `model_weights.ckpt`, its tensor-parallel copies (`mp_rank_NN/`, `tp_rank_NN_pp_rank_NNN/`), or the distributed checkpoint folder `model_weights`. Sorted. */
  readonly weights: readonly string[];
  /** The `<32 hex>_<name>` files at the root: tokenizers, vocabularies. Sorted. */
  readonly artifacts: readonly string[];
}

export interface ExtractNemoReport extends ExtractReport {
  readonly nemo: NemoFiles;
}

/**
 * Extracts a `.nemo` (a tar, plain or gzip, with `model_config.yaml` at its root; `./name` and
 * `name` members alike) exactly as {@link extract} does, and says where its parts are. An
 * archive that is not a NeMo model rejects with `ERR_NOT_A_NEMO` before anything is moved into
 * the destination. Under `policy: 'skip'`, a member dropped because the destination already
 * had that path is still named: the file there is the one that was already there.
 */
export async function extractNemo(source: ArchiveSource, destination: string, options?: ExtractOptions): Promise<ExtractNemoReport> {
  const collector = new NemoLayoutCollector();
  const report = await extractObserved(source, destination, options, {
    written: (parts, type) => collector.add(parts, type),
    beforeCommit: (model) => {
      if (model !== 'nemo') {
        const seen = model === null ? '' : ` (it is a ${model} archive)`;
        throw new ArchiveError(
          'ERR_NOT_A_NEMO',
          `not a NeMo model: a .nemo is a tar, plain or gzip, with model_config.yaml at its root${seen}; nothing was written`,
        );
      }
    },
  });
  const layout = collector.layout();
  const at = (parts: readonly string[]): string => join(report.destination, ...parts);
  // beforeCommit saw the model is a NeMo one, so its config was written.
  const config = layout.config ?? ['model_config.yaml'];
  return { ...report, nemo: { config: at(config), weights: layout.weights.map(at), artifacts: layout.artifacts.map(at) } };
}
