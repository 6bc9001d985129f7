/**
 * safetensors: read (zero-copy typed-array views where the data is aligned) and write.
 *
 * Layout: u64 little-endian header length n, n bytes of UTF-8 JSON
 * `{name: {dtype, shape, data_offsets: [begin, end]}, __metadata__?: {str: str}}`, then the raw data.
 * Offsets are relative to the first byte after the header and must tile the data section without holes
 * (the Rust reference rejects gaps), so the writer puts 8-byte dtypes first and pads the header to 8 bytes.
 */
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';

export type SafetensorsDtype = 'F32' | 'I64' | 'F64' | 'I32' | 'F16' | 'BF16' | 'U8' | 'I8' | 'BOOL' | 'I16' | 'U16' | 'U32' | 'U64';

export type TensorData = Float32Array | BigInt64Array | Float64Array | Int32Array | Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | BigUint64Array;

export interface StTensor {
  dtype: SafetensorsDtype;
  shape: number[];
  data: TensorData;
}

export interface SafetensorsFile {
  tensors: Map<string, StTensor>;
  metadata: Record<string, string>;
}

export class SafetensorsError extends Error {
  constructor(readonly file: string, readonly problem: string) {
    super(`${file}: not a valid safetensors file: ${problem}`);
    this.name = 'SafetensorsError';
  }
}

const DTYPE_SIZE: Record<SafetensorsDtype, number> = {
  F64: 8, I64: 8, U64: 8, F32: 4, I32: 4, U32: 4, F16: 2, BF16: 2, I16: 2, U16: 2, U8: 1, I8: 1, BOOL: 1,
};

/** The header is JSON; anything bigger than this is not a header but a foreign file. */
const MAX_HEADER = 100 * 1024 * 1024;

function view(dtype: SafetensorsDtype, buf: ArrayBuffer, off: number, nbytes: number): TensorData {
  const size = DTYPE_SIZE[dtype];
  const n = nbytes / size;
  // Lay a typed array over the file's buffer when aligned, else copy the bytes once.
  let b = buf;
  let o = off;
  if (off % size !== 0) {
    b = buf.slice(off, off + nbytes);
    o = 0;
  }
  switch (dtype) {
    case 'F32': return new Float32Array(b, o, n);
    case 'F64': return new Float64Array(b, o, n);
    case 'I64': return new BigInt64Array(b, o, n);
    case 'U64': return new BigUint64Array(b, o, n);
    case 'I32': return new Int32Array(b, o, n);
    case 'U32': return new Uint32Array(b, o, n);
    case 'I16': return new Int16Array(b, o, n);
    case 'F16': case 'BF16': case 'U16': return new Uint16Array(b, o, n);
    case 'I8': return new Int8Array(b, o, n);
    default: return new Uint8Array(b, o, n);
  }
}

/** Parses safetensors bytes. `file` names the source in errors. Typed arrays view `bytes.buffer` when aligned. */
export function parseSafetensors(bytes: Uint8Array, file = '<bytes>'): SafetensorsFile {
  if (bytes.byteLength < 8) throw new SafetensorsError(file, `file is ${bytes.byteLength} bytes, shorter than the 8-byte header length`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(dv.getBigUint64(0, true));
  if (n < 2 || n > MAX_HEADER) throw new SafetensorsError(file, `header length ${n} is implausible (foreign or corrupt file)`);
  if (8 + n > bytes.byteLength) throw new SafetensorsError(file, `header length ${n} runs past the end of the file (${bytes.byteLength} bytes): truncated`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    throw new SafetensorsError(file, `header is not valid UTF-8 JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) throw new SafetensorsError(file, 'header is not a JSON object');
  const dataStart = 8 + n;
  const dataLen = bytes.byteLength - dataStart;
  const tensors = new Map<string, StTensor>();
  let metadata: Record<string, string> = {};
  const spans: [number, number, string][] = [];
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) throw new SafetensorsError(file, '__metadata__ is not an object');
      for (const [k, v] of Object.entries(entry as Record<string, unknown>)) {
        if (typeof v !== 'string') throw new SafetensorsError(file, `__metadata__.${k} is not a string`);
      }
      metadata = entry as Record<string, string>;
      continue;
    }
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (e === null || typeof e !== 'object') throw new SafetensorsError(file, `entry '${name}' is not an object`);
    const dtype = e.dtype as SafetensorsDtype;
    if (typeof dtype !== 'string' || !(dtype in DTYPE_SIZE)) throw new SafetensorsError(file, `tensor '${name}' has unknown dtype ${JSON.stringify(e.dtype)}`);
    if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isInteger(d) && d >= 0)) throw new SafetensorsError(file, `tensor '${name}' has an invalid shape ${JSON.stringify(e.shape)}`);
    const off = e.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((d) => Number.isInteger(d) && d >= 0)) throw new SafetensorsError(file, `tensor '${name}' has invalid data_offsets ${JSON.stringify(off)}`);
    const [b, en] = off as [number, number];
    const shape = e.shape as number[];
    const numel = shape.reduce((a, d) => a * d, 1);
    if (en < b) throw new SafetensorsError(file, `tensor '${name}' has data_offsets end ${en} before begin ${b}`);
    if (en - b !== numel * DTYPE_SIZE[dtype]) throw new SafetensorsError(file, `tensor '${name}' spans ${en - b} bytes but shape ${JSON.stringify(shape)} of ${dtype} needs ${numel * DTYPE_SIZE[dtype]}`);
    if (en > dataLen) throw new SafetensorsError(file, `tensor '${name}' ends at byte ${en} of a ${dataLen}-byte data section: truncated`);
    spans.push([b, en, name]);
    tensors.set(name, { dtype, shape: [...shape], data: view(dtype, bytes.buffer as ArrayBuffer, bytes.byteOffset + dataStart + b, en - b) });
  }
  spans.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  for (let i = 1; i < spans.length; i++) {
    if (spans[i][0] < spans[i - 1][1]) throw new SafetensorsError(file, `tensors '${spans[i - 1][2]}' and '${spans[i][2]}' overlap`);
  }
  return { tensors, metadata };
}

export function readSafetensors(path: string): SafetensorsFile {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    throw new SafetensorsError(path, `cannot read file (${e instanceof Error ? e.message : String(e)})`);
  }
  return parseSafetensors(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), path);
}

/** What the writer accepts: the prediction result's tensors or any safetensors tensor. */
export interface WritableTensor {
  shape: number[];
  dtype: string;
  data: TensorData;
}

function stDtype(t: WritableTensor, name: string): SafetensorsDtype {
  const d = t.dtype;
  if (d === 'float32' || d === 'F32') return 'F32';
  if (d === 'int64' || d === 'I64') return 'I64';
  if (d === 'float64' || d === 'F64') return 'F64';
  if (d === 'int32' || d === 'I32') return 'I32';
  if (d in DTYPE_SIZE) return d as SafetensorsDtype;
  throw new Error(`safetensors: tensor '${name}' has unsupported dtype '${d}'`);
}

/**
 * The file layout shared by the encoder and the writer: tensors ordered 8-byte dtypes first, then 4, 2, 1
 * (each stays aligned to its element size with no gaps, keeping the given order within a class), and the
 * 8-byte length prefix plus the JSON header padded with spaces to a multiple of 8.
 */
function layoutSafetensors(tensors: Map<string, WritableTensor> | Iterable<[string, WritableTensor]>, metadata: Record<string, string>) {
  const sized = [...tensors].map(([name, t], i) => ({ name, t, dt: stDtype(t, name), i }));
  sized.sort((a, b) => DTYPE_SIZE[b.dt] - DTYPE_SIZE[a.dt] || a.i - b.i);
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  let dataBytes = 0;
  for (const { name, t, dt } of sized) {
    const numel = t.shape.reduce((a, d) => a * d, 1);
    if (numel !== t.data.length) throw new Error(`safetensors: tensor '${name}' has ${t.data.length} values but shape ${JSON.stringify(t.shape)}`);
    const nb = numel * DTYPE_SIZE[dt];
    if (t.data.byteLength !== nb) throw new Error(`safetensors: tensor '${name}' data is ${t.data.byteLength} bytes, ${dt} needs ${nb}`);
    header[name] = { dtype: dt, shape: t.shape, data_offsets: [dataBytes, dataBytes + nb] };
    dataBytes += nb;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (new TextEncoder().encode(json).length % 8)) % 8);
  const hb = new TextEncoder().encode(json);
  const prefix = new Uint8Array(8 + hb.length);
  new DataView(prefix.buffer).setBigUint64(0, BigInt(hb.length), true);
  prefix.set(hb, 8);
  return { prefix, dataBytes, chunks: sized.map(({ t }) => new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength)) };
}

/** Encodes tensors (in the given order within each alignment class) into safetensors bytes. */
export function encodeSafetensors(tensors: Map<string, WritableTensor> | Iterable<[string, WritableTensor]>, metadata: Record<string, string> = {}): Uint8Array {
  const { prefix, dataBytes, chunks } = layoutSafetensors(tensors, metadata);
  const out = new Uint8Array(prefix.length + dataBytes);
  out.set(prefix, 0);
  let p = prefix.length;
  for (const c of chunks) {
    out.set(c, p);
    p += c.length;
  }
  return out;
}

/** Writes tensors to `path` without building the whole file in memory (header, then each tensor's bytes). */
export function writeSafetensors(path: string, tensors: Map<string, WritableTensor> | Iterable<[string, WritableTensor]>, metadata: Record<string, string> = {}): void {
  const { prefix, chunks } = layoutSafetensors(tensors, metadata);
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, prefix);
    for (const c of chunks) writeSync(fd, c);
  } finally {
    closeSync(fd);
  }
}
