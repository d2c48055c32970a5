import type { Finding, Severity } from '../finding-codes.js';
import type { CleanReport, ExtractReport, ScanReport } from '../report.js';
import { escapeName } from './escape-name.js';

/** ANSI styles, used only when the CLI decided colour is wanted (a TTY, no NO_COLOR). */
export interface Style {
  severity(severity: Severity, text: string): string;
  verdict(refused: boolean, text: string): string;
}

export const PLAIN: Style = { severity: (_severity, text) => text, verdict: (_refused, text) => text };

export const COLOUR: Style = {
  severity: (severity, text) => `${{ critical: '\x1b[1;31m', high: '\x1b[31m', medium: '\x1b[33m', low: '\x1b[2m' }[severity]}${text}\x1b[0m`,
  verdict: (refused, text) => `${refused ? '\x1b[1;31m' : '\x1b[32m'}${text}\x1b[0m`,
};

/** The human summary of a scan, an extraction or a clean: one headline, then a table of findings. */
export function formatReport(report: ScanReport | ExtractReport | CleanReport, command: 'scan' | 'extract' | 'clean', style: Style = PLAIN): string {
  const kind = [report.compression === null ? report.format : `${report.format}+${report.compression}`, report.model]
    .filter((part) => part !== null)
    .join(', ');
  const lines = [
    `${escapeName(report.archive)} (${kind === '' ? 'format not settled' : kind}): ${style.verdict(report.verdict !== 'accepted', headline(report, command))}`,
  ];
  lines.push(...findingTable(report.findings, style));
  return `${lines.join('\n')}\n`;
}

function headline(report: ScanReport | ExtractReport | CleanReport, command: 'scan' | 'extract' | 'clean'): string {
  const size = `${plural(report.entries, 'member')}, ${plural(report.bytes, 'byte')}`;
  if (report.verdict === 'refused') return `REFUSED, ${command === 'scan' ? 'would not be extracted' : 'nothing written'} (${size})`;
  const dropped = report.findings.filter((finding) => finding.action === 'skipped').length;
  if (command === 'scan') return report.verdict === 'skipped' ? `${plural(dropped, 'member')} would be dropped (${size})` : `clean (${size})`;
  if (command === 'clean') {
    const { output, removed } = report as CleanReport;
    return `wrote ${escapeName(output ?? '')}, ${removed > 0 ? `${plural(removed, 'member')} removed` : 'nothing removed'} (${size})`;
  }
  const { destination, written } = report as ExtractReport;
  const tail = dropped > 0 ? `; ${plural(dropped, 'member')} dropped` : '';
  return `extracted ${plural(written.files, 'file')} and ${plural(written.directories, 'folder')} into ${escapeName(destination)} (${size})${tail}`;
}

/** Columns sized to their widest cell; the message last, so long messages do not push the rest. */
function findingTable(findings: readonly Finding[], style: Style): string[] {
  if (findings.length === 0) return [];
  const rows = findings.map((finding) => [
    finding.severity,
    finding.code,
    finding.action,
    finding.member === null ? '(archive)' : escapeName(finding.member),
    escapeName(finding.message),
  ]);
  const header = ['SEVERITY', 'CODE', 'ACTION', 'MEMBER', 'WHY'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]): string => `  ${cells.map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ')}`;
  return [line(header), ...rows.map((row, index) => style.severity(findings[index]!.severity, line(row)))];
}

export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
