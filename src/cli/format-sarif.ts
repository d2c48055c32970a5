import { FINDING_CODES, type FindingCode, type Severity } from '../finding-codes.js';
import type { ScanReport } from '../report.js';

const LEVEL: Readonly<Record<Severity, 'error' | 'warning' | 'note'>> = { critical: 'error', high: 'error', medium: 'warning', low: 'note' };
/** GitHub code scanning sorts by this 0-10 score. */
const SCORE: Readonly<Record<Severity, string>> = { critical: '9.5', high: '8.0', medium: '5.0', low: '2.0' };

/**
 * SARIF 2.1.0 for code scanning: one rule per finding code, one result per finding, the
 * archive as the artifact and the member as a logical location inside it.
 */
export function formatSarif(reports: readonly ScanReport[], version: string): object {
  const codes = Object.keys(FINDING_CODES) as FindingCode[];
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'slipguard',
            version,
            informationUri: 'https://www.npmjs.com/package/slipguard',
            rules: codes.map((code) => {
              const info = FINDING_CODES[code];
              return {
                id: code,
                name: code.toLowerCase().replace(/_(.)/gu, (_match, char: string) => char.toUpperCase()),
                shortDescription: { text: `Archive member with ${info.summary}` },
                fullDescription: {
                  text: `${info.summary}. ${info.refuses ? 'slipguard refuses the archive (or drops the member under --policy skip).' : 'slipguard writes the member with the fix applied.'}`,
                },
                help: { text: info.help },
                defaultConfiguration: { level: LEVEL[info.severity] },
                properties: { tags: ['security', 'archive', 'CWE-22'], 'security-severity': SCORE[info.severity] },
              };
            }),
          },
        },
        results: reports.flatMap((report) =>
          report.findings.map((finding) => ({
            ruleId: finding.code,
            ruleIndex: codes.indexOf(finding.code),
            level: LEVEL[finding.severity],
            message: {
              text: `${finding.member === null ? 'The archive' : `Member ${JSON.stringify(finding.member)}`}: ${finding.message} (${finding.action}).`,
            },
            locations: [
              {
                physicalLocation: { artifactLocation: { uri: toUri(report.archive) } },
                logicalLocations:
                  finding.member === null ? undefined : [{ name: finding.member, fullyQualifiedName: `${report.archive}!${finding.member}`, kind: 'member' }],
              },
            ],
          })),
        ),
      },
    ],
  };
}

/** Relative paths stay relative (code scanning resolves them against the repository); absolute ones become file URIs. */
function toUri(path: string): string {
  const encoded = path.split('/').map(encodeURIComponent).join('/');
  return path.startsWith('/') ? `file://${encoded}` : encoded;
}
