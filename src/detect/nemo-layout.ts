/**
 * Where a NeMo model's parts lie in a `.nemo`, by path components under its root, as NeMo's
 * SaveRestoreConnector writes them:
 * - `model_config.yaml` at the root;
 * - weights: `model_weights.ckpt` at the root, one per tensor-parallel rank in `mp_rank_NN/`
 *   or `tp_rank_NN_pp_rank_NNN/`, or a distributed checkpoint: the folder `model_weights/`
 *   (named as the folder, not file by file);
 * - artifacts: files registered by `register_artifact`, saved at the root as `<uuid4 hex>_<name>`
 *   (tokenizer models, vocabularies, merges).
 */
export interface NemoLayout {
  readonly config: readonly string[] | null;
  readonly weights: readonly (readonly string[])[];
  readonly artifacts: readonly (readonly string[])[];
}

const CHECKPOINT = 'model_weights.ckpt';
const DISTRIBUTED_CHECKPOINT = 'model_weights';
const RANK_FOLDER = /^(?:mp_rank_[0-9]{2}|tp_rank_[0-9]{2}_pp_rank_[0-9]{3})$/u;
const ARTIFACT = /^[0-9a-f]{32}_./u;

/** Collects a NeMo layout from the members written, one at a time, keeping only its parts. */
export class NemoLayoutCollector {
  #config: string[] | null = null;
  readonly #weights = new Map<string, string[]>();
  readonly #artifacts = new Map<string, string[]>();

  add(parts: readonly string[], type: 'file' | 'directory'): void {
    const [first, second] = parts;
    if (first === undefined) return;
    const isFile = type === 'file';
    if (parts.length === 1 && isFile && first === 'model_config.yaml') this.#config = [first];
    else if (parts.length === 1 && isFile && first === CHECKPOINT) this.#weights.set(first, [first]);
    else if (parts.length === 2 && isFile && second === CHECKPOINT && RANK_FOLDER.test(first)) this.#weights.set(parts.join('/'), [...parts]);
    else if (first === DISTRIBUTED_CHECKPOINT && (parts.length > 1 || !isFile)) this.#weights.set(first, [first]);
    else if (parts.length === 1 && isFile && ARTIFACT.test(first)) this.#artifacts.set(first, [first]);
  }

  layout(): NemoLayout {
    return { config: this.#config, weights: sorted(this.#weights), artifacts: sorted(this.#artifacts) };
  }
}

function sorted(found: ReadonlyMap<string, string[]>): string[][] {
  return [...found.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, parts]) => parts);
}
