import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { CheckpointError, loadCheckpoint } from '../../../extension/pipeline/formats/checkpoint';
import { encodeSafetensors } from '../../../extension/pipeline/formats/safetensors';

const REF = '/work/shared/ghn2-reference';

describe('formats/checkpoint', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ghn-ck-'));

  it('loads the .pt and the safetensors checkpoint to identical state dicts and configs', () => {
    const a = loadCheckpoint(join(REF, 'ghn2_cifar10_seed0.pt'));
    const b = loadCheckpoint(join(REF, 'ghn2_cifar10_seed0.safetensors'));
    assert.deepEqual(a.config.max_shape, [64, 64, 11, 11]);
    assert.equal(a.config.num_classes, 10);
    assert.equal(a.config.ve, true);
    assert.deepEqual({ ...a.config }, { ...b.config });
    assert.equal(a.epoch, 0);
    assert.equal(a.stateDict.size, 31);
    assert.deepEqual([...a.stateDict.keys()], [...b.stateDict.keys()]);
    for (const [k, t] of a.stateDict) {
      assert.deepEqual(t.shape, b.stateDict.get(k)!.shape);
      assert.deepEqual(t.data, b.stateDict.get(k)!.data, k);
    }
  });

  const fails = (what: string, make: () => Uint8Array, msg: RegExp): void => {
    it(`rejects ${what} with a CheckpointError naming the file`, () => {
      const p = join(dir, what.replace(/\W+/g, '_'));
      writeFileSync(p, make());
      assert.throws(() => loadCheckpoint(p), (e: unknown) => e instanceof CheckpointError && e.message.includes(p) && msg.test(e.message));
    });
  };
  const pt = (): Uint8Array => new Uint8Array(readFileSync(join(REF, 'ghn2_cifar10_seed0.pt')));
  fails('a random zip', () => zipSync({ 'a.txt': new TextEncoder().encode('hi'), 'b/c.bin': new Uint8Array(10) }), /no 'data\.pkl' entry/);
  fails('a text file', () => new TextEncoder().encode('this is not a checkpoint\n'), /unrecognised format/);
  fails('a truncated .pt', () => pt().slice(0, 3_000_000), /truncated|end-of-central-directory/);
  fails('a .pt with a corrupted pickle', () => { const b = pt(); b.set(new TextEncoder().encode('cos\nsystem\n'), 160); return b; }, /data\.pkl/);
  fails('an empty file', () => new Uint8Array(0), /only 0 bytes/);
  fails('a safetensors with a lying header', () => {
    const b = new Uint8Array(readFileSync(join(REF, 'ghn2_cifar10_seed0.safetensors')));
    return b.slice(0, b.length - 1000);
  }, /truncated/);
  fails('a safetensors without a GHN config', () => encodeSafetensors(new Map([['w', { shape: [2], dtype: 'float32', data: new Float32Array(2) }]])), /no __metadata__\.config/);
  fails('a GHN-1 style config', () => encodeSafetensors(new Map([['w', { shape: [2], dtype: 'float32', data: new Float32Array(2) }]]), { config: JSON.stringify({ max_shape: [64, 64, 11, 11], num_classes: 10, hypernet: 'gatedgnn', decoder: 'mlp' }) }), /only GHN-2/);
});
