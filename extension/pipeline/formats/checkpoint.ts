/**
 * GHN checkpoints in either format, to one shape:
 * - the reference's `.pt` (`torch.save({'state_dict', 'config', 'epoch', 'optimzer'?})`, a zip + pickle);
 * - safetensors with the same state_dict keys and `__metadata__.config` (a JSON string), as our trainer writes.
 * Unknown top-level keys (e.g. the reference's misspelt `optimzer`) are ignored.
 */
import { readFileSync } from 'node:fs';
import { parseSafetensors, SafetensorsError } from './safetensors';
import { readTorchZip, TorchZipError, type TorchTensor } from './torchZip';

export interface GhnConfig {
  max_shape: [number, number, number, number];
  num_classes: number;
  hypernet: string;
  decoder: string;
  weight_norm: boolean;
  ve: boolean;
  layernorm: boolean;
  hid: number;
  [k: string]: unknown;
}

export interface CheckpointTensor { shape: number[]; data: Float32Array }

export interface Checkpoint {
  config: GhnConfig;
  stateDict: Map<string, CheckpointTensor>;
  epoch?: number;
  /** Other `__metadata__` entries (safetensors) for display. */
  metadata?: Record<string, string>;
}

export class CheckpointError extends Error {
  constructor(readonly file: string, readonly problem: string) {
    super(`${file}: cannot load GHN checkpoint: ${problem}`);
    this.name = 'CheckpointError';
  }
}

function toConfig(raw: unknown, file: string): GhnConfig {
  let obj: Record<string, unknown>;
  if (raw instanceof Map) obj = Object.fromEntries([...raw].map(([k, v]) => [String(k), v]));
  else if (raw && typeof raw === 'object') obj = raw as Record<string, unknown>;
  else throw new CheckpointError(file, 'config is missing');
  const ms = obj.max_shape;
  if (!Array.isArray(ms) || ms.length !== 4 || !ms.every((x) => Number.isInteger(Number(x)))) throw new CheckpointError(file, `config.max_shape is ${JSON.stringify(ms)}, expected 4 integers`);
  const cfg: GhnConfig = {
    ...obj,
    max_shape: Array.from(ms, Number) as [number, number, number, number],
    num_classes: Number(obj.num_classes),
    hypernet: String(obj.hypernet ?? 'gatedgnn'),
    decoder: String(obj.decoder ?? 'conv'),
    weight_norm: Boolean(obj.weight_norm),
    ve: Boolean(obj.ve),
    layernorm: Boolean(obj.layernorm),
    hid: Number(obj.hid ?? 32),
  };
  if (!Number.isInteger(cfg.num_classes) || cfg.num_classes < 1) throw new CheckpointError(file, `config.num_classes is ${JSON.stringify(obj.num_classes)}`);
  if (cfg.hypernet !== 'gatedgnn' || cfg.decoder !== 'conv') throw new CheckpointError(file, `only GHN-2 (hypernet 'gatedgnn', decoder 'conv') is supported, got '${cfg.hypernet}'/'${cfg.decoder}'`);
  return cfg;
}

function toFloat(t: { shape: number[]; dtype: string; data: unknown }, key: string, file: string): CheckpointTensor {
  if (t.data instanceof Float32Array) return { shape: t.shape, data: t.data };
  if (t.data instanceof Float64Array) return { shape: t.shape, data: Float32Array.from(t.data) };
  throw new CheckpointError(file, `tensor '${key}' has dtype ${t.dtype}, expected float32`);
}

/** Loads a checkpoint from a path or bytes (`name` labels bytes in errors). */
export function loadCheckpoint(pathOrBytes: string | Uint8Array, name?: string): Checkpoint {
  let bytes: Uint8Array;
  let file: string;
  if (typeof pathOrBytes === 'string') {
    file = pathOrBytes;
    try {
      const b = readFileSync(pathOrBytes);
      bytes = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    } catch (e) {
      throw new CheckpointError(file, `cannot read file (${e instanceof Error ? e.message : String(e)})`);
    }
  } else {
    bytes = pathOrBytes;
    file = name ?? '<bytes>';
  }
  if (bytes.byteLength < 8) throw new CheckpointError(file, `file is only ${bytes.byteLength} bytes`);
  const isZip = bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
  if (isZip) return fromTorch(bytes, file);
  if (bytes[0] === 0x80 && bytes[1] <= 5) throw new CheckpointError(file, 'this is a legacy (pre-1.6, non-zip) torch.save file; re-save it with a current PyTorch');
  // safetensors starts with a u64 header length followed by '{'.
  if (bytes.byteLength > 9 && bytes[8] === 0x7b) return fromSafetensors(bytes, file);
  throw new CheckpointError(file, 'unrecognised format: neither a torch.save zip (.pt) nor safetensors');
}

function fromTorch(bytes: Uint8Array, file: string): Checkpoint {
  let obj: unknown;
  try {
    obj = readTorchZip(bytes, file);
  } catch (e) {
    if (e instanceof TorchZipError) throw new CheckpointError(file, e.problem);
    throw new CheckpointError(file, e instanceof Error ? e.message : String(e));
  }
  if (!(obj instanceof Map)) throw new CheckpointError(file, 'the pickled object is not a dict with config and state_dict');
  const sd = obj.get('state_dict');
  if (!(sd instanceof Map)) throw new CheckpointError(file, "the checkpoint has no 'state_dict' dict (is this a model's state_dict rather than a GHN checkpoint?)");
  if (!obj.has('config')) throw new CheckpointError(file, "the checkpoint has no 'config' entry");
  const config = toConfig(obj.get('config'), file);
  const stateDict = new Map<string, CheckpointTensor>();
  for (const [k, v] of sd) {
    const t = v as TorchTensor;
    if (!t || typeof t !== 'object' || !('shape' in t)) throw new CheckpointError(file, `state_dict['${String(k)}'] is not a tensor`);
    stateDict.set(String(k), toFloat(t, String(k), file));
  }
  const epoch = obj.get('epoch');
  return { config, stateDict, epoch: typeof epoch === 'number' ? epoch : undefined };
}

function fromSafetensors(bytes: Uint8Array, file: string): Checkpoint {
  let st;
  try {
    st = parseSafetensors(bytes, file);
  } catch (e) {
    if (e instanceof SafetensorsError) throw new CheckpointError(file, e.problem);
    throw e;
  }
  const cfgText = st.metadata.config;
  if (!cfgText) throw new CheckpointError(file, "safetensors file has no __metadata__.config (the GHN config as JSON); is this a model's parameters rather than a GHN?");
  let cfgRaw: unknown;
  try {
    cfgRaw = JSON.parse(cfgText);
  } catch {
    throw new CheckpointError(file, '__metadata__.config is not valid JSON');
  }
  const config = toConfig(cfgRaw, file);
  const stateDict = new Map<string, CheckpointTensor>();
  for (const [k, t] of st.tensors) stateDict.set(k, toFloat(t, k, file));
  const epoch = st.metadata.epoch !== undefined ? Number(st.metadata.epoch) : undefined;
  const { config: _c, ...rest } = st.metadata;
  return { config, stateDict, epoch: Number.isFinite(epoch) ? epoch : undefined, metadata: rest };
}
