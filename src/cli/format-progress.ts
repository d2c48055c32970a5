/** What one progress line shows: the archive's bytes got through, of how many, in how long. */
export interface ProgressState {
  /** Bytes of the archive got through so far. */
  readonly done: number;
  /** The archive's size; null when unknown (standard input): no share, no bar, no ETA. */
  readonly total: number | null;
  /** Time since the command started, for the rate. */
  readonly elapsedMs: number;
  /** The terminal's width: the line stays shorter, so `\r` can redraw it in place. */
  readonly columns: number;
}

const BAR_MAX = 30;
const BAR_MIN = 10;
/** Room for the stats but the size, at their widest: ` 99%  1023.9 MiB / <size>  1023.9 MiB/s  ETA 99:59:59`. */
const STATS_ROOM = ' 99%  1023.9 MiB / '.length + '  1023.9 MiB/s  ETA 99:59:59'.length;

/**
 * One progress line, without a line break: `[####......]  38%  412.0 MiB / 1.0 GiB  105.3 MiB/s  ETA 0:06`,
 * or `412.0 MiB  105.3 MiB/s` when the size is unknown. The rate is the average since the
 * start; the bar narrows, then goes, then the line is cut, to fit `columns - 1` characters.
 */
export function formatProgress(state: ProgressState): string {
  const { done, total, elapsedMs, columns } = state;
  const rate = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
  const speed = rate > 0 ? `${formatBytes(rate)}/s` : '-- B/s';
  const width = Math.max(1, columns - 1);
  if (total === null) return fit(`${formatBytes(done)}  ${speed}`, width);
  const share = total > 0 ? Math.min(1, done / total) : 1;
  const left = Math.max(0, total - done);
  const eta = formatEta(left === 0 ? 0 : rate > 0 ? left / rate : null);
  const size = formatBytes(total);
  const stats = `${`${Math.floor(share * 100)}%`.padStart(4)}  ${formatBytes(Math.min(done, total))} / ${size}  ${speed}  ETA ${eta}`;
  // The bar's width depends on the size and the terminal only, not on numbers that change
  // from one redraw to the next, so it stays put: room is kept for the widest of those.
  const bar = Math.min(BAR_MAX, width - 3 - (STATS_ROOM + size.length));
  if (bar < BAR_MIN) return fit(stats, width);
  const filled = Math.floor(share * bar);
  return fit(`[${'#'.repeat(filled)}${'.'.repeat(bar - filled)}] ${stats}`, width);
}

function fit(line: string, width: number): string {
  return line.length <= width ? line : line.slice(0, width).trimEnd();
}

const UNITS = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** Binary units, as the size flags take them: `512 B`, `1.5 KiB`, `412.0 MiB`. */
function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${Math.floor(bytes)} B`;
  let value = bytes / 1024;
  let unit = 0;
  // Round first, so 1023.96 KiB is shown as 1.0 MiB, not 1024.0 KiB.
  while (Number(value.toFixed(1)) >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${UNITS[unit]!}`;
}

/** `0:06`, `12:34`, `1:02:03`; `--:--` while there is no rate to go by. */
function formatEta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '--:--';
  const whole = Math.ceil(seconds);
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const secs = String(whole % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${secs}` : `${minutes}:${secs}`;
}
