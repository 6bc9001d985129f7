/**
 * A minimal, safe unpickler for what `torch.save` writes (protocols 2–5 opcodes it emits).
 *
 * Nothing is executed: GLOBAL resolves only names on an allowlist to inert descriptors, REDUCE only
 * knows how to "call" those descriptors (OrderedDict, tuple/set/list, _rebuild_tensor_v2, ...), and
 * persistent ids (torch storages) are handed to the caller's `persistentLoad`.
 */

export class PickleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PickleError';
  }
}

/** A global that `GLOBAL` resolved: only allowlisted names ever exist. */
export class PyGlobal {
  constructor(readonly module: string, readonly name: string) {}
  get qualname(): string {
    return `${this.module}.${this.name}`;
  }
}

/** A tuple (distinguished from a list for callers that care). */
export class PyTuple extends Array<unknown> {}

/** The result of a `_rebuild_tensor_v2` call: a view of a storage, resolved later by the container reader. */
export interface PyTensorRef {
  __tensor__: true;
  storage: unknown;
  offset: number;
  size: number[];
  stride: number[];
}

export function isTensorRef(x: unknown): x is PyTensorRef {
  return typeof x === 'object' && x !== null && (x as PyTensorRef).__tensor__ === true;
}

const ALLOWED = new Set([
  'collections.OrderedDict',
  'torch._utils._rebuild_tensor_v2',
  'torch._utils._rebuild_parameter',
  'torch.FloatStorage', 'torch.DoubleStorage', 'torch.HalfStorage', 'torch.LongStorage', 'torch.IntStorage',
  'torch.ShortStorage', 'torch.CharStorage', 'torch.ByteStorage', 'torch.BoolStorage', 'torch.BFloat16Storage',
  'torch.float32', 'torch.float64', 'torch.int64',
  'builtins.set', 'builtins.frozenset', 'builtins.tuple', 'builtins.list', 'builtins.dict',
  '__builtin__.set', '__builtin__.frozenset', 'copy_reg._reconstructor', 'builtins.object', '__builtin__.object',
]);

export interface UnpickleOptions {
  /** Resolves a persistent id (torch: `('storage', StorageClass, key, location, numel)`). */
  persistentLoad?: (pid: unknown) => unknown;
}

class Mark {}
const MARK = new Mark();

function call(fn: unknown, args: unknown[]): unknown {
  if (!(fn instanceof PyGlobal)) throw new PickleError(`REDUCE on a non-callable ${typeof fn}`);
  switch (fn.qualname) {
    case 'collections.OrderedDict':
    case 'builtins.dict': {
      const m = new Map<unknown, unknown>();
      const src = args[0];
      if (Array.isArray(src)) for (const kv of src) if (Array.isArray(kv)) m.set(kv[0], kv[1]);
      return m;
    }
    case 'builtins.set': case 'builtins.frozenset': case '__builtin__.set': case '__builtin__.frozenset':
      return new Set(Array.isArray(args[0]) ? args[0] : []);
    case 'builtins.tuple': return PyTuple.from(Array.isArray(args[0]) ? args[0] : []);
    case 'builtins.list': return Array.isArray(args[0]) ? [...args[0]] : [];
    case 'torch._utils._rebuild_tensor_v2': {
      const [storage, offset, size, stride] = args;
      if (typeof offset !== 'number' || !Array.isArray(size) || !Array.isArray(stride)) throw new PickleError('_rebuild_tensor_v2 with malformed arguments');
      const ref: PyTensorRef = { __tensor__: true, storage, offset, size: size as number[], stride: stride as number[] };
      return ref;
    }
    case 'torch._utils._rebuild_parameter': return args[0];
    case 'copy_reg._reconstructor': return new Map();
    default:
      throw new PickleError(`refusing to call ${fn.qualname}`);
  }
}

function setItem(obj: unknown, k: unknown, v: unknown): void {
  if (obj instanceof Map) obj.set(k, v);
  else throw new PickleError('SETITEM on a non-dict');
}

/** Unpickles `data`. Throws PickleError on anything malformed, truncated or not allowlisted. */
export function unpickle(data: Uint8Array, opts: UnpickleOptions = {}): unknown {
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const stack: unknown[] = [];
  const memo = new Map<number, unknown>();
  const dec = new TextDecoder('utf-8', { fatal: false });
  let p = 0;
  const need = (n: number): void => {
    if (p + n > data.length) throw new PickleError(`truncated pickle at byte ${p}`);
  };
  const u8 = (): number => { need(1); return data[p++]; };
  const u16 = (): number => { need(2); const v = dv.getUint16(p, true); p += 2; return v; };
  const u32 = (): number => { need(4); const v = dv.getUint32(p, true); p += 4; return v; };
  const i32 = (): number => { need(4); const v = dv.getInt32(p, true); p += 4; return v; };
  const bytes = (n: number): Uint8Array => { need(n); const b = data.subarray(p, p + n); p += n; return b; };
  const line = (): string => {
    const e = data.indexOf(10, p);
    if (e < 0) throw new PickleError('truncated pickle: unterminated line');
    const s = dec.decode(data.subarray(p, e));
    p = e + 1;
    return s;
  };
  const pop = (): unknown => {
    if (!stack.length) throw new PickleError(`stack underflow at byte ${p}`);
    return stack.pop();
  };
  const top = (): unknown => {
    if (!stack.length) throw new PickleError(`stack underflow at byte ${p}`);
    return stack[stack.length - 1];
  };
  const popMark = (): unknown[] => {
    let i = stack.length - 1;
    while (i >= 0 && stack[i] !== MARK) i--;
    if (i < 0) throw new PickleError(`no MARK on the stack at byte ${p}`);
    const items = stack.splice(i + 1);
    stack.pop();
    return items;
  };
  const global = (module: string, name: string): PyGlobal => {
    const q = `${module}.${name}`;
    if (!ALLOWED.has(q)) throw new PickleError(`global '${q}' is not on the allowlist`);
    return new PyGlobal(module, name);
  };
  const longFrom = (b: Uint8Array): number | bigint => {
    if (b.length === 0) return 0;
    let v = 0n;
    for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
    if (b[b.length - 1] & 0x80) v -= 1n << BigInt(8 * b.length);
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  };

  for (;;) {
    const op = u8();
    switch (op) {
      case 0x80: u8(); break; // PROTO
      case 0x95: bytes(8); break; // FRAME
      case 0x2e: return pop(); // STOP
      case 0x28: stack.push(MARK); break; // MARK
      case 0x7d: stack.push(new Map()); break; // EMPTY_DICT
      case 0x5d: stack.push([]); break; // EMPTY_LIST
      case 0x29: stack.push(new PyTuple()); break; // EMPTY_TUPLE
      case 0x8f: stack.push(new Set()); break; // EMPTY_SET
      case 0x4e: stack.push(null); break; // NONE
      case 0x88: stack.push(true); break; // NEWTRUE
      case 0x89: stack.push(false); break; // NEWFALSE
      case 0x4b: stack.push(u8()); break; // BININT1
      case 0x4d: stack.push(u16()); break; // BININT2
      case 0x4a: stack.push(i32()); break; // BININT
      case 0x8a: stack.push(longFrom(bytes(u8()))); break; // LONG1
      case 0x8b: stack.push(longFrom(bytes(u32()))); break; // LONG4
      case 0x47: { need(8); stack.push(dv.getFloat64(p, false)); p += 8; break; } // BINFLOAT (big-endian)
      case 0x58: stack.push(dec.decode(bytes(u32()))); break; // BINUNICODE
      case 0x8c: stack.push(dec.decode(bytes(u8()))); break; // SHORT_BINUNICODE
      case 0x8d: { need(8); const n = Number(dv.getBigUint64(p, true)); p += 8; stack.push(dec.decode(bytes(n))); break; } // BINUNICODE8
      case 0x43: stack.push(bytes(u8()).slice()); break; // SHORT_BINBYTES
      case 0x42: stack.push(bytes(u32()).slice()); break; // BINBYTES
      case 0x54: stack.push(dec.decode(bytes(u32()))); break; // BINSTRING (py2)
      case 0x55: stack.push(dec.decode(bytes(u8()))); break; // SHORT_BINSTRING
      case 0x71: memo.set(u8(), top()); break; // BINPUT
      case 0x72: memo.set(u32(), top()); break; // LONG_BINPUT
      case 0x94: memo.set(memo.size, top()); break; // MEMOIZE
      case 0x68: case 0x6a: { // BINGET, LONG_BINGET
        const k = op === 0x68 ? u8() : u32();
        if (!memo.has(k)) throw new PickleError(`memo key ${k} missing at byte ${p}`);
        stack.push(memo.get(k));
        break;
      }
      case 0x63: { const m = line(); const n = line(); stack.push(global(m, n)); break; } // GLOBAL
      case 0x93: { const n = pop(); const m = pop(); stack.push(global(String(m), String(n))); break; } // STACK_GLOBAL
      case 0x74: stack.push(PyTuple.from(popMark())); break; // TUPLE
      case 0x85: stack.push(PyTuple.from([pop()])); break; // TUPLE1
      case 0x86: { const b = pop(); const a = pop(); stack.push(PyTuple.from([a, b])); break; } // TUPLE2
      case 0x87: { const c = pop(); const b = pop(); const a = pop(); stack.push(PyTuple.from([a, b, c])); break; } // TUPLE3
      case 0x6c: stack.push(popMark()); break; // LIST
      case 0x61: { const v = pop(); const l = top(); if (!Array.isArray(l)) throw new PickleError('APPEND to a non-list'); l.push(v); break; } // APPEND
      case 0x65: { const items = popMark(); const l = top(); if (!Array.isArray(l)) throw new PickleError('APPENDS to a non-list'); l.push(...items); break; } // APPENDS
      case 0x73: { const v = pop(); const k = pop(); setItem(top(), k, v); break; } // SETITEM
      case 0x75: { // SETITEMS
        const items = popMark();
        const d = top();
        for (let i = 0; i + 1 < items.length; i += 2) setItem(d, items[i], items[i + 1]);
        break;
      }
      case 0x90: { const items = popMark(); const s = top(); if (!(s instanceof Set)) throw new PickleError('ADDITEMS to a non-set'); for (const i of items) s.add(i); break; } // ADDITEMS
      case 0x64: { const items = popMark(); const m = new Map(); for (let i = 0; i + 1 < items.length; i += 2) m.set(items[i], items[i + 1]); stack.push(m); break; } // DICT
      case 0x52: { const args = pop(); const fn = pop(); stack.push(call(fn, Array.isArray(args) ? args : [])); break; } // REDUCE
      case 0x81: { const args = pop(); const cls = pop(); stack.push(call(cls, Array.isArray(args) ? args : [])); break; } // NEWOBJ
      case 0x62: pop(); break; // BUILD: state of an inert object (e.g. an OrderedDict's _metadata) is dropped
      case 0x51: { // BINPERSID
        const pid = pop();
        if (!opts.persistentLoad) throw new PickleError('persistent id without a persistentLoad handler');
        stack.push(opts.persistentLoad(pid));
        break;
      }
      default:
        throw new PickleError(`unsupported pickle opcode 0x${op.toString(16).padStart(2, '0')} at byte ${p - 1}`);
    }
  }
}
