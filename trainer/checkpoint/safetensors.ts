// A small safetensors reader/writer: 8-byte little-endian header length, a JSON header, then raw little-endian data.
//
// API:
//   writeSafetensors(file, tensors: SafeTensor[], metadata?: Record<string,string>)   F32 only, written as given
//   readSafetensors(file) -> {tensors: Map<string, SafeTensor>, metadata}            F32, F16 and BF16 become F32;
//                            other dtypes (HF's bool/uint8 attention-mask buffers) are listed with data = null
//   SafetensorsError: one-line messages naming the file and what is wrong (bad header length, JSON, offsets, sizes)
// Values round-trip bit for bit: F32 bytes are copied, never converted.

import fs from "node:fs";
import os from "node:os";

export interface SafeTensor {
  name: string;
  shape: number[];
  dtype: string; // dtype as stored in the file ("F32", "F16", "BF16", "U8", ...)
  data: Float32Array | null; // float data widened to F32; null for non-float dtypes
}

export class SafetensorsError extends Error {
  override name = "SafetensorsError";
}

const DTYPE_BYTES: Record<string, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1, U16: 2, U32: 4, U64: 8 };
const MAX_HEADER = 100 * 1024 * 1024; // the format's own limit

function assertLittleEndian(): void {
  if (os.endianness() !== "LE") throw new SafetensorsError("safetensors I/O needs a little-endian machine");
}

export function writeSafetensors(file: string, tensors: SafeTensor[], metadata: Record<string, string> = {}): void {
  assertLittleEndian();
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  let offset = 0;
  for (const t of tensors) {
    if (t.dtype !== "F32" || !t.data) throw new SafetensorsError(`cannot write ${t.name}: only F32 tensors are written`);
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (n !== t.data.length) throw new SafetensorsError(`cannot write ${t.name}: shape [${t.shape}] needs ${n} values, got ${t.data.length}`);
    header[t.name] = { dtype: "F32", shape: t.shape, data_offsets: [offset, offset + n * 4] };
    offset += n * 4;
  }
  let json = JSON.stringify(header);
  // Pad with spaces so the data starts 8-byte aligned, as the reference implementation does.
  json += " ".repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8);
  const headerBytes = Buffer.from(json, "utf8");
  const out = Buffer.allocUnsafe(8 + headerBytes.length + offset);
  out.writeBigUInt64LE(BigInt(headerBytes.length), 0);
  headerBytes.copy(out, 8);
  let pos = 8 + headerBytes.length;
  for (const t of tensors) {
    const bytes = Buffer.from(t.data!.buffer, t.data!.byteOffset, t.data!.byteLength);
    bytes.copy(out, pos);
    pos += bytes.length;
  }
  fs.writeFileSync(file, out);
}

/** IEEE half → float. */
function f16ToF32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

function widen(dtype: string, bytes: Buffer, n: number): Float32Array | null {
  const out = new Float32Array(n);
  if (dtype === "F16") {
    for (let i = 0; i < n; i++) out[i] = f16ToF32(bytes.readUInt16LE(2 * i));
    return out;
  }
  if (dtype === "BF16") {
    // bf16 is the top half of an f32.
    const u32 = new Uint32Array(out.buffer);
    for (let i = 0; i < n; i++) u32[i] = bytes.readUInt16LE(2 * i) << 16;
    return out;
  }
  if (dtype === "F64") {
    for (let i = 0; i < n; i++) out[i] = bytes.readDoubleLE(8 * i);
    return out;
  }
  return null;
}

/**
 * Reads a safetensors file tensor by tensor through a file descriptor, so a file over 2 GiB (Node's limit for one
 * Buffer read) loads, and no copy of the whole file is ever held beside the widened tensors.
 */
export function readSafetensors(file: string): { tensors: Map<string, SafeTensor>; metadata: Record<string, string> } {
  assertLittleEndian();
  let fd: number;
  try {
    fd = fs.openSync(file, "r");
  } catch (e) {
    throw new SafetensorsError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    return readOpenSafetensors(file, fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Fills `out` from `position` (readSync may return fewer bytes than asked). */
function readInto(fd: number, out: Uint8Array, position: number): void {
  for (let done = 0; done < out.length; ) {
    const n = fs.readSync(fd, out, done, out.length - done, position + done);
    if (n === 0) throw new SafetensorsError(`unexpected end of file after ${position + done} bytes`);
    done += n;
  }
}

function readAt(fd: number, length: number, position: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  readInto(fd, out, position);
  return out;
}

/** A tensor's values as F32: F32 bytes read straight into the result, other float types widened. */
function readFloats(fd: number, dtype: string, n: number, begin: number, end: number): Float32Array {
  if (dtype !== "F32") return widen(dtype, readAt(fd, end - begin, begin), n)!;
  const out = new Float32Array(n);
  readInto(fd, new Uint8Array(out.buffer), begin);
  return out;
}

function readOpenSafetensors(file: string, fd: number): { tensors: Map<string, SafeTensor>; metadata: Record<string, string> } {
  const size = fs.fstatSync(fd).size;
  const bad = (why: string) => new SafetensorsError(`corrupt safetensors file ${file}: ${why}`);
  if (size < 8) throw bad(`only ${size} bytes, too short for a header`);
  const headerLen = Number(readAt(fd, 8, 0).readBigUInt64LE(0));
  if (headerLen > MAX_HEADER || 8 + headerLen > size) throw bad(`header length ${headerLen} exceeds the file size ${size}`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(readAt(fd, headerLen, 8).toString("utf8"));
  } catch {
    throw bad("header is not valid JSON");
  }
  if (!header || typeof header !== "object" || Array.isArray(header)) throw bad("header is not a JSON object");
  const dataStart = 8 + headerLen;
  const dataLen = size - dataStart;
  const tensors = new Map<string, SafeTensor>();
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name === "__metadata__") {
      metadata = (entry ?? {}) as Record<string, string>;
      continue;
    }
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof e?.dtype !== "string" || !Array.isArray(e.shape) || !Array.isArray(e.data_offsets) || e.data_offsets.length !== 2) {
      throw bad(`entry '${name}' lacks dtype, shape or data_offsets`);
    }
    const shape = e.shape as number[];
    if (!shape.every((d) => Number.isInteger(d) && d >= 0)) throw bad(`entry '${name}' has an invalid shape ${JSON.stringify(shape)}`);
    const [begin, end] = e.data_offsets as number[];
    if (!Number.isInteger(begin) || !Number.isInteger(end) || begin! < 0 || end! < begin! || end! > dataLen) {
      throw bad(`entry '${name}' has data offsets [${begin}, ${end}] outside the ${dataLen}-byte data section`);
    }
    const n = shape.reduce((a, b) => a * b, 1);
    const width = DTYPE_BYTES[e.dtype];
    if (width === undefined) throw bad(`entry '${name}' has unknown dtype ${e.dtype}`);
    if (end! - begin! !== n * width) throw bad(`entry '${name}' has shape [${shape}] (${n * width} bytes) but ${end! - begin!} bytes of data`);
    const float = e.dtype === "F32" || e.dtype === "F16" || e.dtype === "BF16" || e.dtype === "F64";
    const data = float ? readFloats(fd, e.dtype, n, dataStart + begin!, dataStart + end!) : null;
    tensors.set(name, { name, shape, dtype: e.dtype, data });
  }
  return { tensors, metadata };
}
