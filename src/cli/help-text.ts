/** The help screens: what each command does, its flags with defaults, examples, exit codes. */
const LIMITS = `  --max-size N        total decompressed bytes (default 64G)
  --max-entries N     number of members (default 100000)
  --max-file-size N   decompressed bytes of one member (default 64G)
  --max-ratio N       decompressed : compressed bytes (default 1000)
Sizes take binary units: 4096, 64K, 64M, 2G, 1T.
An archive over 64 MiB shows a progress bar on stderr when stderr is a terminal (not with --quiet).`;

const EXIT = `Exit codes: 0 nothing refused or dropped; 1 findings refused the archive or members were
dropped; 2 usage error, or the archive or destination could not be read or written; 130, 143
stopped by SIGINT, SIGTERM (nothing written).`;

export const HELP = {
  main: `slipguard: extract, scan and check tar (plain, gzip, bzip2, xz, zstd) and zip archives
(ML model files) safely.

Usage:
  slipguard extract <archive> [-C <dir>] [options]   extract all or nothing; links and escapes refused
  slipguard scan <archive|folder>... [options]       report every finding; writes nothing
  slipguard clean <archive> -o <file> [options]      copy the archive without its hostile members
  slipguard --version
  slipguard <command> --help                         flags and examples of a command

Examples:
  slipguard extract model.nemo -C cache/model
  curl -sL https://example.org/model.tar.gz | slipguard extract - -C cache/model
  slipguard scan models/ --sarif slipguard.sarif
  slipguard clean model.nemo -o model.clean.nemo

${EXIT}
clean: 0 nothing removed; 1 members removed; 2 refused or failed, and no output file.`,
  extract: `Usage: slipguard extract <archive> [-C|-d <dir>] [options]

Extracts a tar (plain, gzip, bzip2, xz or zstd) or a zip into <dir> (default: the current
folder; created when missing).
Every member is vetted and written into a private staging folder inside <dir>, then moved into
place. On any refusal or error nothing is written and <dir> is as it was. '-' reads the archive
from standard input.

Options:
  -C, -d <dir>        destination folder
  --policy refuse     refuse the whole archive on the first refusing finding (default)
  --policy skip       drop hostile members, write the rest, report every drop
  --overwrite         replace files and links already in <dir> (links are replaced, never followed)
  --nemo              the archive must be a NeMo model; also print where its config, weights
                      and artifacts are (in --json: "nemo": { config, weights, artifacts })
  --json              print the report as one JSON document
  -q, --quiet         no progress bar; stderr gets errors only
${LIMITS}

Examples:
  slipguard extract model.nemo -C cache/model
  slipguard extract model.nemo -C cache/model --nemo
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
  -q, --quiet         no progress bar; stderr gets errors only
${LIMITS}

Examples:
  slipguard scan model.pt
  slipguard scan models/ --json > report.json
  slipguard scan models/ --sarif slipguard.sarif

${EXIT}`,
  clean: `Usage: slipguard clean <archive> -o <file> [options]

Writes a copy of a tar, tar.gz or zip without the members that extract --policy skip would
drop (escapes, links, devices, unsafe names, collisions), in the same format and order, with
every kept member's bytes unchanged. Tar headers are rewritten: regular files and folders only,
sanitized modes (0644, 0755 when executable), owner 0, no user or group names. Zip members are
copied as stored (deflated data is not re-compressed); torch's 64-byte alignment is kept.
The copy is written beside <file> under a temporary name, scanned, and renamed into place;
on any refusal or error no <file> is left. '-' reads the archive from standard input.

Options:
  -o, --output <file> where to write the cleaned archive (required; never the archive itself)
  --overwrite         replace a file or link already at <file> (never followed)
  --json              print the report as one JSON document (with "output" and "removed")
  -q, --quiet         no progress bar; stderr gets errors only
${LIMITS}

Examples:
  slipguard clean model.nemo -o model.clean.nemo
  slipguard clean checkpoint.pt -o checkpoint.clean.pt --json
  slipguard clean bundle.tar.gz -o bundle.clean.tar.gz --overwrite --max-size 20G

Exit codes: 0 nothing had to be removed; 1 members were removed (each is listed); 2 the
archive was refused (corrupt, truncated, ambiguous or over a limit), could not be read, or the
copy could not be written; then no <file> is left.`,
} as const;
