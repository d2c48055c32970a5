const strict = new TextDecoder('utf-8', { fatal: true });

/** Decodes a name, saying whether its bytes were valid UTF-8 (invalid bytes become U+FFFD). */
export function decodeUtf8(bytes: Uint8Array): { text: string; valid: boolean } {
  try {
    return { text: strict.decode(bytes), valid: true };
  } catch {
    return { text: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'), valid: false };
  }
}
