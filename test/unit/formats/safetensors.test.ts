import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeSafetensors, parseSafetensors, readSafetensors, SafetensorsError, writeSafetensors } from '../../../extension/pipeline/formats/safetensors';

function header(obj: unknown, data = new Uint8Array(0)): Uint8Array {
  const h = new TextEncoder().encode(JSON.stringify(obj));
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

describe('formats/safetensors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ghn-st-'));

  it('round-trips F32 and I64 tensors with metadata, 8-byte aligned, zero-copy', () => {
    const a = Float32Array.from([1, 2, 3]);
    const b = BigInt64Array.from([7n, -1n]);
    const p = join(dir, 'rt.safetensors');
    writeSafetensors(p, new Map<string, any>([['a', { shape: [3], dtype: 'float32', data: a }], ['b', { shape: [2], dtype: 'int64', data: b }]]), { config: '{"x":1}' });
    const buf = readFileSync(p);
    assert.equal(Number(buf.readBigUInt64LE(0)) % 8, 0, 'header padded to 8 bytes');
    const f = readSafetensors(p);
    assert.deepEqual(f.metadata, { config: '{"x":1}' });
    assert.deepEqual([...(f.tensors.get('a')!.data as Float32Array)], [1, 2, 3]);
    assert.deepEqual([...(f.tensors.get('b')!.data as BigInt64Array)], [7n, -1n]);
    // Zero copy: the typed array views the file buffer.
    const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    const g = parseSafetensors(bytes, p);
    assert.equal(g.tensors.get('a')!.data.buffer, bytes.buffer);
    // The in-memory encoder gives the same bytes.
    assert.deepEqual(encodeSafetensors(new Map<string, any>([['a', { shape: [3], dtype: 'float32', data: a }], ['b', { shape: [2], dtype: 'int64', data: b }]]), { config: '{"x":1}' }), bytes);
  });

  it('reads the reference fixtures (written by another writer)', () => {
    const f = readSafetensors('/work/shared/ghn2-reference/ghn2_cifar10_seed0.safetensors');
    assert.equal(f.tensors.size, 31);
    assert.deepEqual(f.tensors.get('decoder.fc.0.weight')!.shape, [15488, 32]);
  });

  const bad: [string, Uint8Array, RegExp][] = [
    ['a file shorter than 8 bytes', new Uint8Array(3), /shorter than the 8-byte header length/],
    ['a header length past the end', (() => { const b = new Uint8Array(16); new DataView(b.buffer).setBigUint64(0, 100n, true); return b; })(), /runs past the end of the file/],
    ['a header that is not JSON', (() => { const b = new Uint8Array(8 + 6); b[0] = 6; b.set(new TextEncoder().encode('{"a":['), 8); return b; })(), /not valid UTF-8 JSON/],
    ['an absurd header length (foreign file)', new TextEncoder().encode('hello world, this is text'), /implausible/],
    ['a lying header (size does not match the shape)', header({ a: { dtype: 'F32', shape: [4], data_offsets: [0, 8] } }, new Uint8Array(8)), /spans 8 bytes but shape \[4\] of F32 needs 16/],
    ['a tensor past the data section (truncated)', header({ a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, new Uint8Array(8)), /truncated/],
    ['an unknown dtype', header({ a: { dtype: 'Q7', shape: [1], data_offsets: [0, 1] } }, new Uint8Array(1)), /unknown dtype/],
    ['overlapping tensors', header({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, new Uint8Array(12)), /overlap/],
    ['non-string metadata', header({ __metadata__: { a: 1 } }), /__metadata__\.a is not a string/],
  ];
  for (const [what, bytes, msg] of bad) {
    it(`rejects ${what} with an error naming the file`, () => {
      const p = join(dir, 'bad.safetensors');
      writeFileSync(p, bytes);
      assert.throws(() => readSafetensors(p), (e: unknown) => e instanceof SafetensorsError && e.message.startsWith(p) && msg.test(e.message));
    });
  }
});
