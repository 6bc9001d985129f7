import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { listZip, readZipEntry, readTorchZip, TorchZipError } from '../../../extension/pipeline/formats/torchZip';
import { PickleError, PyTuple, unpickle } from '../../../extension/pipeline/formats/pickle';

const PT = '/work/shared/ghn2-reference/ghn2_cifar10_seed0.pt';
const bytes = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

describe('formats/pickle + torchZip', () => {
  it('unpickles basic protocol-2 values', () => {
    // pickle.dumps({'a': (1, 2.5, None, True), 'b': [300, -5]}, protocol=2)
    const p = bytes('\x80\x02}q\x00(X\x01\x00\x00\x00aq\x01(K\x01G@\x04\x00\x00\x00\x00\x00\x00N\x88tq\x02X\x01\x00\x00\x00bq\x03]q\x04(M,\x01J\xfb\xff\xff\xffeu.');
    const v = unpickle(p) as Map<string, unknown>;
    assert.ok(v.get('a') instanceof PyTuple);
    assert.deepEqual([...(v.get('a') as unknown[])], [1, 2.5, null, true]);
    assert.deepEqual(v.get('b'), [300, -5]);
  });

  it('refuses globals off the allowlist and never calls anything', () => {
    // The classic payload: os.system('echo pwned')
    const evil = bytes("cos\nsystem\n(X\x0a\x00\x00\x00echo pwnedtR.");
    assert.throws(() => unpickle(evil), (e: unknown) => e instanceof PickleError && /os\.system' is not on the allowlist/.test((e as Error).message));
    assert.throws(() => unpickle(bytes('cbuiltins\neval\n.')), /not on the allowlist/);
  });

  it('reports truncation and unknown opcodes', () => {
    assert.throws(() => unpickle(bytes('\x80\x02X\x10\x00\x00\x00abc')), /truncated/);
    assert.throws(() => unpickle(bytes('\x80\x02\xff')), /unsupported pickle opcode 0xff/);
  });

  it('reads the reference .pt container: entries by suffix, 64-byte aligned storages as views', () => {
    const buf = readFileSync(PT);
    const b = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    const entries = listZip(b, PT);
    assert.ok(entries.some((e) => e.name.endsWith('/data.pkl')));
    const e0 = entries.find((e) => e.name.endsWith('/data/0'))!;
    assert.equal(readZipEntry(b, e0, PT).byteOffset % 64, 0);
    const obj = readTorchZip(b, PT) as Map<string, any>;
    assert.deepEqual([...obj.keys()].sort(), ['config', 'epoch', 'optimzer', 'state_dict']);
    assert.equal(obj.get('optimzer').get('param_groups')[0].get('foreach'), null);
    assert.equal(obj.get('state_dict').get('ln.weight').data.buffer, b.buffer, 'zero-copy storage view');
  });

  it('rejects a zip that is not a torch.save file', async () => {
    const { zipSync } = await import('fflate');
    const z = zipSync({ 'readme.txt': bytes('hello') });
    assert.throws(() => readTorchZip(z, 'foo.zip'), (e: unknown) => e instanceof TorchZipError && /foo\.zip.*no 'data\.pkl' entry/.test((e as Error).message));
  });
});
