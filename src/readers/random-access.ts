import { open, type FileHandle } from 'node:fs/promises';

/** Positional reads over an archive held in a file or in memory: what a zip needs. */
export interface RandomAccess {
  readonly size: number;
  /** Up to `length` bytes at `position` (fewer only at the end). */
  read(position: number, length: number): Promise<Buffer>;
  /**
   * Reads up to `length` bytes at `position` into `target` from `offset`, a buffer the caller
   * owns and reuses; resolves to the count (fewer only at the end).
   */
  readInto(target: Buffer, offset: number, length: number, position: number): Promise<number>;
  close(): Promise<void>;
}

export class FileAccess implements RandomAccess {
  private constructor(
    readonly handle: FileHandle,
    readonly size: number,
  ) {}

  static async open(path: string): Promise<FileAccess> {
    const handle = await open(path, 'r');
    try {
      const stat = await handle.stat();
      if (!stat.isFile()) throw Object.assign(new Error(`${path} is not a regular file`), { code: 'ENOTFILE' });
      return new FileAccess(handle, stat.size);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  async read(position: number, length: number): Promise<Buffer> {
    const buffer = Buffer.allocUnsafe(Math.max(0, Math.min(length, this.size - position)));
    const filled = await this.readInto(buffer, 0, buffer.length, position);
    return filled === buffer.length ? buffer : buffer.subarray(0, filled);
  }

  async readInto(target: Buffer, offset: number, length: number, position: number): Promise<number> {
    const wanted = Math.max(0, Math.min(length, this.size - position));
    let filled = 0;
    while (filled < wanted) {
      const { bytesRead } = await this.handle.read(target, offset + filled, wanted - filled, position + filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return filled;
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

export class BufferAccess implements RandomAccess {
  constructor(readonly buffer: Buffer) {}

  get size(): number {
    return this.buffer.length;
  }

  async read(position: number, length: number): Promise<Buffer> {
    return this.buffer.subarray(position, position + length);
  }

  async readInto(target: Buffer, offset: number, length: number, position: number): Promise<number> {
    if (position >= this.buffer.length || length <= 0) return 0;
    return this.buffer.copy(target, offset, position, Math.min(this.buffer.length, position + length));
  }

  async close(): Promise<void> {}
}
