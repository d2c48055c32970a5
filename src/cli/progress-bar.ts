import type { Writable } from 'node:stream';
import type { Progress } from '../options.js';
import { formatProgress } from './format-progress.js';

/** Archives over this size get a progress bar (and a stream source once it has passed it). */
export const PROGRESS_THRESHOLD = 64 * 1024 * 1024;
/** At most ten redraws a second; the first one only after this long, so a quick run shows none. */
const REDRAW_MS = 100;

export interface ProgressBarSettings {
  /** Where the bar goes; drawn only when this is a terminal (`isTTY` true). */
  readonly stderr: Writable;
  /** `--quiet`: never drawn. */
  readonly quiet: boolean;
  readonly threshold: number;
  /** Milliseconds, for the rate and the redraw throttle. */
  readonly now: () => number;
}

/** A progress bar on one stderr line, fed by the library's onProgress, erased when the command ends. */
export interface ProgressBar {
  /** The command option that feeds the bar; empty when no bar is drawn. */
  readonly options: { onProgress?: (progress: Progress) => void };
  /** Awaits the command the bar is for, then erases the bar (if it was drawn), before anything is printed. */
  during<T>(work: Promise<T>): Promise<T>;
}

const NONE: ProgressBar = { options: {}, during: (work) => work };

export function progressBar(settings: ProgressBarSettings): ProgressBar {
  const { stderr, quiet, threshold, now } = settings;
  const terminal = stderr as Writable & { isTTY?: boolean; columns?: number };
  if (quiet || terminal.isTTY !== true) return NONE;
  const start = now();
  let last = start;
  let drawn = false;
  const onProgress = (progress: Progress): void => {
    const { archiveBytes, archiveSize } = progress;
    if ((archiveSize ?? archiveBytes) <= threshold) return;
    const at = now();
    if (at - last < REDRAW_MS) return;
    last = at;
    // A terminal that does not say its width (0 under some pseudo-terminals) is taken as 80 wide.
    const columns = terminal.columns !== undefined && terminal.columns > 0 ? terminal.columns : 80;
    const line = formatProgress({ done: archiveBytes, total: archiveSize, elapsedMs: at - start, columns });
    // Back to the line's start, draw, and clear what a longer line before left.
    stderr.write(`\r${line}\x1b[K`);
    drawn = true;
  };
  return {
    options: { onProgress },
    during: async (work) => {
      try {
        return await work;
      } finally {
        if (drawn) stderr.write('\r\x1b[K');
        drawn = false;
      }
    },
  };
}
