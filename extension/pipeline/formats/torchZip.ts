/**
 * The `torch.save` container: a ZIP archive holding `<stem>/data.pkl` (a pickle whose tensors name
 * storages by key) and `<stem>/data/<key>` (raw little-endian storages), plus `<stem>/version`.
 *
 * We read the central directory ourselves so that stored (uncompressed) entries become zero-copy
 * views of the file; deflated entries (never written by torch, but legal zips) go through fflate.
 * Entries are matched by suffix because the top folder is the file stem at save time.
 */
import { inflateSync } from 'fflate';
import { isTensorRef, PyGlobal, unpickle, type PyTensorRef } from './pickle';

export class TorchZipError extends Error {
  constructor(readonly file: string, readonly problem: string) {
    super(`${file}: not a readable torch.save file: ${problem}`);
    this.name = 'TorchZipError';
  }
}

export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

/** Lists the entries of a ZIP archive from its central directory (zip64 aware). */
export function listZip(bytes: Uint8Array, file: string): ZipEntry[] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const len = bytes.byteLength;
  if (len < 22) throw new TorchZipError(file, `file is ${len} bytes, too short for a zip archive`);
  let eocd = -1;
  for (let i = len - 22; i >= Math.max(0, len - 22 - 65535); i--) {
    if (dv.getUint32(i, true) === 0x06054b50) { eocd = i; break; }
  }
  if (eocd < 0) {
    const magic = len >= 4 && dv.getUint32(0, true) === 0x04034b50;
    throw new TorchZipError(file, magic ? 'zip end-of-central-directory record missing: the file is truncated' : 'no zip end-of-central-directory record: not a zip archive');
  }
  let count = dv.getUint16(eocd + 10, true);
  let cdSize = dv.getUint32(eocd + 12, true);
  let cdOff = dv.getUint32(eocd + 16, true);
  if (cdOff === 0xffffffff || count === 0xffff) {
    const loc = eocd - 20;
    if (loc < 0 || dv.getUint32(loc, true) !== 0x07064b50) throw new TorchZipError(file, 'zip64 locator missing');
    const z64 = Number(dv.getBigUint64(loc + 8, true));
    if (z64 + 56 > len || dv.getUint32(z64, true) !== 0x06064b50) throw new TorchZipError(file, 'zip64 end record missing or out of range');
    count = Number(dv.getBigUint64(z64 + 32, true));
    cdSize = Number(dv.getBigUint64(z64 + 40, true));
    cdOff = Number(dv.getBigUint64(z64 + 48, true));
  }
  if (cdOff + cdSize > len) throw new TorchZipError(file, 'central directory lies past the end of the file: truncated or corrupt');
  const entries: ZipEntry[] = [];
  let p = cdOff;
  const dec = new TextDecoder();
  for (let k = 0; k < count; k++) {
    if (p + 46 > len || dv.getUint32(p, true) !== 0x02014b50) throw new TorchZipError(file, `central directory entry ${k} is corrupt`);
    const method = dv.getUint16(p + 10, true);
    let csize = dv.getUint32(p + 20, true);
    let size = dv.getUint32(p + 24, true);
    const nlen = dv.getUint16(p + 28, true);
    const xlen = dv.getUint16(p + 30, true);
    const clen = dv.getUint16(p + 32, true);
    let lho = dv.getUint32(p + 42, true);
    if (p + 46 + nlen + xlen > len) throw new TorchZipError(file, `central directory entry ${k} is truncated`);
    const name = dec.decode(bytes.subarray(p + 46, p + 46 + nlen));
    // zip64 extra field: the 0xffffffff fields follow in order size, csize, offset.
    let x = p + 46 + nlen;
    const xe = x + xlen;
    while (x + 4 <= xe) {
      const id = dv.getUint16(x, true);
      const sz = dv.getUint16(x + 2, true);
      if (id === 0x0001) {
        let q = x + 4;
        if (size === 0xffffffff) { size = Number(dv.getBigUint64(q, true)); q += 8; }
        if (csize === 0xffffffff) { csize = Number(dv.getBigUint64(q, true)); q += 8; }
        if (lho === 0xffffffff) { lho = Number(dv.getBigUint64(q, true)); }
      }
      x += 4 + sz;
    }
    entries.push({ name, method, compressedSize: csize, size, localOffset: lho });
    p += 46 + nlen + xlen + clen;
  }
  return entries;
}

/** The bytes of one entry: a view for stored entries, inflated for deflated ones. */
export function readZipEntry(bytes: Uint8Array, e: ZipEntry, file: string): Uint8Array {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const o = e.localOffset;
  if (o + 30 > bytes.byteLength || dv.getUint32(o, true) !== 0x04034b50) throw new TorchZipError(file, `local header of '${e.name}' is missing or corrupt`);
  const start = o + 30 + dv.getUint16(o + 26, true) + dv.getUint16(o + 28, true);
  const end = start + e.compressedSize;
  if (end > bytes.byteLength) throw new TorchZipError(file, `entry '${e.name}' runs past the end of the file: truncated`);
  const raw = bytes.subarray(start, end);
  if (e.method === 0) return raw;
  if (e.method === 8) {
    try {
      return inflateSync(raw, { out: new Uint8Array(e.size) });
    } catch (err) {
      throw new TorchZipError(file, `entry '${e.name}' does not inflate (${err instanceof Error ? err.message : String(err)})`);
    }
  }
  throw new TorchZipError(file, `entry '${e.name}' uses unsupported compression method ${e.method}`);
}

const STORAGE_DTYPES: Record<string, { size: number; dtype: 'float32' | 'float64' | 'int64' | 'int32' | 'float16' | 'uint8' }> = {
  FloatStorage: { size: 4, dtype: 'float32' },
  DoubleStorage: { size: 8, dtype: 'float64' },
  LongStorage: { size: 8, dtype: 'int64' },
  IntStorage: { size: 4, dtype: 'int32' },
  HalfStorage: { size: 2, dtype: 'float16' },
  ByteStorage: { size: 1, dtype: 'uint8' },
};

export interface TorchTensor {
  shape: number[];
  dtype: string;
  /** float32 tensors are Float32Array (a view of the file when contiguous and aligned); float64 is converted to float32. */
  data: Float32Array | BigInt64Array | Int32Array | Uint8Array | Uint16Array;
}

interface StorageRef { key: string; dtype: string; size: number; numel: number }

/** Reads a torch.save zip: returns the unpickled object with every tensor replaced by a TorchTensor. */
export function readTorchZip(bytes: Uint8Array, file: string): unknown {
  const entries = listZip(bytes, file);
  const pkl = entries.find((e) => e.name === 'data.pkl' || e.name.endsWith('/data.pkl'));
  if (!pkl) throw new TorchZipError(file, `zip archive has no 'data.pkl' entry (entries: ${entries.slice(0, 5).map((e) => e.name).join(', ')}${entries.length > 5 ? ', ...' : ''}); not a torch.save file`);
  const prefix = pkl.name.slice(0, pkl.name.length - 'data.pkl'.length);
  const byName = new Map(entries.map((e) => [e.name, e]));
  let obj: unknown;
  try {
    obj = unpickle(readZipEntry(bytes, pkl, file), {
      persistentLoad: (pid) => {
        if (!Array.isArray(pid) || pid[0] !== 'storage' || !(pid[1] instanceof PyGlobal)) throw new Error(`unexpected persistent id ${JSON.stringify(pid)}`);
        const info = STORAGE_DTYPES[pid[1].name];
        if (!info) throw new Error(`unsupported storage type ${pid[1].qualname}`);
        const ref: StorageRef = { key: String(pid[2]), dtype: info.dtype, size: info.size, numel: Number(pid[4]) };
        return ref;
      },
    });
  } catch (e) {
    throw new TorchZipError(file, `data.pkl: ${e instanceof Error ? e.message : String(e)}`);
  }
  const cache = new Map<string, Uint8Array>();
  const storageBytes = (s: StorageRef): Uint8Array => {
    let b = cache.get(s.key);
    if (!b) {
      const e = byName.get(`${prefix}data/${s.key}`);
      if (!e) throw new TorchZipError(file, `storage entry '${prefix}data/${s.key}' is missing`);
      b = readZipEntry(bytes, e, file);
      if (b.byteLength < s.numel * s.size) throw new TorchZipError(file, `storage '${s.key}' has ${b.byteLength} bytes, expected ${s.numel * s.size}: truncated`);
      cache.set(s.key, b);
    }
    return b;
  };
  const resolve = (t: PyTensorRef): TorchTensor => {
    const s = t.storage as StorageRef;
    const b = storageBytes(s);
    const shape = Array.from(t.size, Number);
    const numel = shape.reduce((a, d) => a * d, 1);
    // Contiguous strides?
    let contiguous = true;
    for (let i = shape.length - 1, st = 1; i >= 0; i--) {
      if (shape[i] !== 1 && Number(t.stride[i]) !== st) contiguous = false;
      st *= shape[i];
    }
    let maxIndex = t.offset;
    for (let i = 0; i < shape.length; i++) if (shape[i] > 0) maxIndex += (shape[i] - 1) * Number(t.stride[i]);
    if (numel > 0 && maxIndex >= s.numel) throw new TorchZipError(file, `tensor view exceeds storage '${s.key}'`);
    const elems = (): ArrayLike<number | bigint> & { length: number } => {
      const abs = b.byteOffset;
      const buf = b.buffer as ArrayBuffer;
      const mk = (off: number, n: number): any => {
        const aligned = off % s.size === 0;
        const bb = aligned ? buf : buf.slice(off, off + n * s.size);
        const oo = aligned ? off : 0;
        switch (s.dtype) {
          case 'float32': return new Float32Array(bb, oo, n);
          case 'float64': return new Float64Array(bb, oo, n);
          case 'int64': return new BigInt64Array(bb, oo, n);
          case 'int32': return new Int32Array(bb, oo, n);
          case 'float16': return new Uint16Array(bb, oo, n);
          default: return new Uint8Array(bb, oo, n);
        }
      };
      return mk(abs, s.numel);
    };
    const all = elems() as any;
    let out: any;
    if (contiguous) out = all.subarray(t.offset, t.offset + numel);
    else {
      out = new all.constructor(numel);
      const idx = new Array(shape.length).fill(0);
      for (let k = 0; k < numel; k++) {
        let src = t.offset;
        for (let d = 0; d < shape.length; d++) src += idx[d] * Number(t.stride[d]);
        out[k] = all[src];
        for (let d = shape.length - 1; d >= 0; d--) { if (++idx[d] < shape[d]) break; idx[d] = 0; }
      }
    }
    if (s.dtype === 'float64') out = Float32Array.from(out as Float64Array);
    return { shape, dtype: s.dtype === 'float64' ? 'float32' : s.dtype, data: out };
  };
  const walk = (x: unknown): unknown => {
    if (isTensorRef(x)) return resolve(x);
    if (x instanceof Map) { for (const [k, v] of x) x.set(k, walk(v)); return x; }
    if (Array.isArray(x)) { for (let i = 0; i < x.length; i++) x[i] = walk(x[i]); return x; }
    return x;
  };
  return walk(obj);
}
