import * as fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import { failureError, runWriteOps, type OpFailure, type WriteOp } from './write-ops.js';

/** A batch is sent when its data reaches this size, or when it holds this many ops. */
const BATCH_BYTES = 1024 * 1024;
const BATCH_OPS = 1024;
/** Batches handed to the worker and not yet done: one being written, one waiting. Bounds memory. */
const IN_FLIGHT = 2;
/** Files up to this size go into batches; a larger one is written by the caller after a flush. */
export const BATCHED_FILE_LIMIT = 256 * 1024;

interface Batch {
  ops: WriteOp[];
  data: Uint8Array;
  used: number;
}

interface Reply {
  readonly id: number;
  readonly failure: OpFailure | null;
  readonly buffer: ArrayBuffer;
}

/** The worker's whole program: run each batch with runWriteOps, reply, and give the buffer back. */
const WORKER_SOURCE = `'use strict';
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const runWriteOps = (${runWriteOps.toString()});
parentPort.on('message', (batch) => {
  let failure;
  try {
    failure = runWriteOps(fs, batch.ops, new Uint8Array(batch.buffer));
  } catch (error) {
    failure = { index: 0, message: String(error && error.message || error) };
  }
  parentPort.postMessage({ id: batch.id, failure, buffer: batch.buffer }, [batch.buffer]);
});
`;

/**
 * The writer's ops for many small files, run on a second core. The caller (StagingRoot, the
 * one writer) reads, vets and queues; a worker thread makes the folders and files, in queue
 * order, with the same synchronous calls StagingRoot makes itself. In order, so a folder
 * always exists before what goes in it, and one path is never written twice at once. The
 * first failure is kept and thrown at the next add or flush; nothing after it is written.
 *
 * The worker shares this process's descriptors, so the `/proc/self/fd` paths of the held
 * staging folder reach the same folder there. Memory is bounded: at most IN_FLIGHT batches of
 * about BATCH_BYTES are out, and their buffers come back to be reused.
 */
export class WriteBatches {
  readonly #worker: Worker;
  #batch: Batch;
  #nextId = 0;
  /** Batches out, by id, with their ops (to name the path of a failed op). */
  readonly #pending = new Map<number, readonly WriteOp[]>();
  readonly #waiters: (() => void)[] = [];
  readonly #spare: ArrayBuffer[] = [];
  #failure: Error | null = null;
  #closed = false;

  constructor() {
    this.#worker = new Worker(WORKER_SOURCE, { eval: true });
    this.#worker.unref();
    this.#worker.on('message', (reply: Reply) => this.#done(reply));
    this.#worker.on('error', (error) => this.#fail(error));
    this.#worker.on('exit', (code) => {
      if (!this.#closed) this.#fail(new Error(`the writer's worker thread stopped (exit code ${code})`));
    });
    this.#batch = this.#fresh();
  }

  /** Queues a folder; its parent is already made or queued. */
  async mkdir(path: string): Promise<void> {
    await this.#room(0);
    this.#batch.ops.push({ kind: 'mkdir', path });
  }

  /**
   * Queues a new file of at most `size` bytes (BATCHED_FILE_LIMIT or less), copying its chunks
   * in as they come (the reader reuses its buffers). Returns the bytes taken.
   */
  async file(path: string, mode: number, chmod: boolean, mtimeMs: number | null, size: number, chunks: Buffer | AsyncIterable<Buffer>): Promise<number> {
    if (size > BATCHED_FILE_LIMIT) throw new RangeError(`a file of ${size} bytes is not batched`);
    // Most files fit the open batch: no await for them.
    if (this.#full(size)) await this.#room(size);
    else this.#throwIfFailed();
    const batch = this.#batch;
    const offset = batch.used;
    let length = 0;
    // A whole body is taken without an await.
    if (Buffer.isBuffer(chunks)) length = take(batch, offset, 0, chunks, size);
    else for await (const chunk of chunks) length = take(batch, offset, length, chunk, size);
    // The batch cannot have been sent meanwhile: only this writer, awaited, adds to it.
    batch.used += length;
    batch.ops.push({ kind: 'file', path, mode, chmod, mtimeMs, offset, length });
    return length;
  }

  /** Sends what is queued and waits until every op is done; throws the first failure. */
  async flush(): Promise<void> {
    this.#throwIfFailed();
    if (this.#batch.ops.length > 0) this.#send();
    while (this.#pending.size > 0) await this.#settled();
    this.#throwIfFailed();
  }

  /** Waits for what is out (its outcome no longer matters) and stops the worker. */
  async close(): Promise<void> {
    if (this.#closed) return;
    while (this.#pending.size > 0 && this.#failure === null) await this.#settled();
    this.#closed = true;
    await this.#worker.terminate();
  }

  /** The open batch cannot take an op with `bytes` more data. */
  #full(bytes: number): boolean {
    const batch = this.#batch;
    return batch.ops.length >= BATCH_OPS || (batch.used + bytes > batch.data.length && batch.ops.length > 0);
  }

  /** Makes room for an op with `bytes` of data: sends the batch when full, waits when too many are out. */
  async #room(bytes: number): Promise<void> {
    this.#throwIfFailed();
    if (this.#full(bytes)) {
      while (this.#pending.size >= IN_FLIGHT) await this.#settled();
      this.#throwIfFailed();
      this.#send();
    }
  }

  #send(): void {
    const { ops, data } = this.#batch;
    const id = this.#nextId++;
    const buffer = data.buffer as ArrayBuffer;
    this.#pending.set(id, ops);
    this.#worker.postMessage({ id, ops, buffer }, [buffer]);
    this.#batch = this.#fresh();
  }

  #done(reply: Reply): void {
    const ops = this.#pending.get(reply.id);
    this.#pending.delete(reply.id);
    this.#spare.push(reply.buffer);
    if (reply.failure !== null && this.#failure === null) {
      this.#failure = failureError(reply.failure);
      if (ops !== undefined && reply.failure.path === undefined) {
        const op = ops[reply.failure.index];
        if (op !== undefined) Object.assign(this.#failure, { path: op.path });
      }
    }
    this.#wake();
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    this.#pending.clear();
    this.#wake();
  }

  #wake(): void {
    for (const wake of this.#waiters.splice(0)) wake();
  }

  #settled(): Promise<void> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  #throwIfFailed(): void {
    if (this.#failure !== null) throw this.#failure;
  }

  #fresh(): Batch {
    const buffer = this.#spare.pop() ?? new ArrayBuffer(BATCH_BYTES);
    return { ops: [], data: new Uint8Array(buffer), used: 0 };
  }
}

/** The same ops, run at once on this thread: what StagingRoot does before (or without) a worker. */
export function runNow(ops: readonly WriteOp[], data: Uint8Array): void {
  const failure = runWriteOps(fs, ops, data);
  if (failure !== null) throw failureError(failure);
}

/** Copies a chunk into the batch after the `length` bytes already taken; returns the new length. */
function take(batch: Batch, offset: number, length: number, chunk: Buffer, size: number): number {
  // Never more than the header said (the reader stops there too): the space was reserved for it.
  if (length + chunk.length > size) throw new RangeError(`member body is longer than its ${size} bytes`);
  batch.data.set(chunk, offset + length);
  return length + chunk.length;
}
