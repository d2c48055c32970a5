import type { NemoFiles } from '../commands/extract-nemo.js';
import { escapeName } from './escape-name.js';

/** The `extract --nemo` summary: where the model's config, weights and artifacts are. */
export function formatNemo(nemo: NemoFiles): string {
  const rows: [string, readonly string[]][] = [
    ['config', [nemo.config]],
    ['weights', nemo.weights],
    ['artifacts', nemo.artifacts],
  ];
  const lines = rows.flatMap(([label, paths]) =>
    paths.length === 0 ? [`  ${label.padEnd(10)}(none)`] : paths.map((path, index) => `  ${(index === 0 ? label : '').padEnd(10)}${escapeName(path)}`),
  );
  return `${lines.join('\n')}\n`;
}
