const UNITS: Readonly<Record<string, number>> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

/** `64M`, `2G`, `1.5G`, `4096`: binary units, as `du` and `ls -h` print them. Null when not a size. */
export function parseSize(text: string): number | null {
  const match = /^([0-9]+(?:\.[0-9]+)?)([KMGT]?)(?:i?B)?$/iu.exec(text.trim());
  if (match === null) return null;
  const value = Math.floor(Number(match[1]) * UNITS[match[2]!.toUpperCase()]!);
  return Number.isSafeInteger(value) && value > 0 ? value : null;
}
