/** The help screens: what each command does, its flags with defaults, examples, exit codes. */
const LIMITS = `  --max-size N        total decompressed bytes (default 64G)
  --max-entries N     number of members (default 100000)
  --max-file-size N   decompressed bytes of one member (default 64G)
  --max-ratio N       decompressed : compressed bytes (default 1000)
Sizes take binary units: 4096, 64K, 64M, 2G, 1T.`;

const EXIT = `Exit codes: 0 nothing refused or dropped; 1 findings refused the archive or members were
dropped; 2 usage error, or the archive or destination could not be read or written.`;

export const HELP = {
  main: `slipguard: extract, scan and check tar, tar.gz and zip archives (ML model files) safely.

Usage:
  slipguard extract <archive> [-C <dir>] [options]   extract all or nothing; links and escapes refused
  slipguard scan <archive|folder>... [options]       report every finding; writes nothing
  slipguard --version
  slipguard <command> --help                         flags and examples of a command

Examples:
  slipguard extract model.nemo -C cache/model
  curl -sL https://example.org/model.tar.gz | slipguard extract - -C cache/model
  slipguard scan models/ --sarif slipguard.sarif

${EXIT}`,
  extract: `Usage: slipguard extract <archive> [-C|-d <dir>] [options]

Extracts a tar, tar.gz or zip into <dir> (default: the current folder; created when missing).
Every member is vetted and written into a private staging folder inside <dir>, then moved into
place. On any refusal or error nothing is written and <dir> is as it was. '-' reads the archive
from standard input.

Options:
  -C, -d <dir>        destination folder
  --policy refuse     refuse the whole archive on the first refusing finding (default)
  --policy skip       drop hostile members, write the rest, report every drop
  --overwrite         replace files and links already in <dir> (links are replaced, never followed)
  --json              print the report as one JSON document
${LIMITS}

Examples:
  slipguard extract model.nemo -C cache/model
  slipguard extract checkpoint.pt -d /tmp/ckpt --json
  slipguard extract bundle.tar.gz -C out --policy skip --max-size 20G

${EXIT}`,
  scan: `Usage: slipguard scan <archive|folder>... [options]

Reports every finding in each archive without writing anything. A folder is walked (links not
followed) and every file whose bytes are an archive is scanned, whatever its name; other files
are counted. '-' scans standard input.

Options:
  --json              one JSON report (several archives: { "reports": [...], "summary": {...} })
  --sarif <file>      also write SARIF 2.1.0 for code scanning
  --policy refuse|skip  judge as extract would with that policy (default refuse)
${LIMITS}

Examples:
  slipguard scan model.pt
  slipguard scan models/ --json > report.json
  slipguard scan models/ --sarif slipguard.sarif

${EXIT}`,
} as const;
