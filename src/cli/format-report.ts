import type { Finding } from '../finding-codes.js';
import type { ExtractReport, ScanReport } from '../report.js';
import { escapeName } from './escape-name.js';

/** The human summary of a scan or an extraction: one headline, then a row per finding. */
export function formatReport(report: ScanReport | ExtractReport, command: 'scan' | 'extract'): string {
  const kind = [report.compression === null ? report.format : `${report.format}+${report.compression}`, report.model].filter((part) => part !== null).join(', ');
  const lines = [`${escapeName(report.archive)} (${kind}): ${headline(report, command)}`];
  for (const finding of report.findings) lines.push(formatFinding(finding));
  return `${lines.join('\n')}\n`;
}

function headline(report: ScanReport | ExtractReport, command: 'scan' | 'extract'): string {
  const size = `${plural(report.entries, 'member')}, ${plural(report.bytes, 'byte')}`;
  if (report.verdict === 'refused') return `REFUSED, ${command === 'extract' ? 'nothing written' : 'would not be extracted'} (${size})`;
  const dropped = report.findings.filter((finding) => finding.action === 'skipped').length;
  if (command === 'scan') return report.verdict === 'skipped' ? `${dropped} findings would drop members (${size})` : `no refusing findings (${size})`;
  const { destination, written } = report as ExtractReport;
  const tail = dropped > 0 ? `; ${dropped} members dropped` : '';
  return `extracted ${plural(written.files, 'file')} and ${plural(written.directories, 'folder')} into ${escapeName(destination)} (${size})${tail}`;
}

function formatFinding(finding: Finding): string {
  const member = finding.member === null ? '(archive)' : escapeName(finding.member);
  return `  ${finding.severity.padEnd(8)} ${finding.code.padEnd(20)} ${finding.action.padEnd(9)} ${member}: ${escapeName(finding.message)}`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
