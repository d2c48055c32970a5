/**
 * The one shape every reader produces. Vetting, reporting and writing see
 * only this, so tar and zip members are judged by the same code.
 */
export type EntryType = 'file' | 'directory' | 'symlink' | 'hardlink' | 'char-device' | 'block-device' | 'fifo' | 'socket' | 'unsupported';

export interface Entry {
  /** Effective name: after PAX `path`, GNU `L`, the ustar prefix or the zip Unicode Path field. */
  readonly name: string;
  /** False when the name's bytes were not valid UTF-8 (the decoder replaced them). */
  readonly nameIsUtf8: boolean;
  readonly type: EntryType;
  /** What the archive said the type was: a tar type flag (`'0'`, `'S'`...) or a zip mode (`zip:0o120000`). */
  readonly typeFlag: string;
  /** Permission bits as stored (type bits removed); null where the archive has none. */
  readonly mode: number | null;
  /** Size the header claims. Never trusted for limits or allocation; real bytes are counted. */
  readonly size: number;
  /** Effective link target for links, else null. */
  readonly linkTarget: string | null;
  readonly mtime: Date | null;
  /** Position in the archive, 0-based, counting only real members (not PAX or GNU meta headers). */
  readonly index: number;
}
