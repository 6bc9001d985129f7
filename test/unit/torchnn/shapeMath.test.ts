/**
 * Shape helpers on what PyTorch cannot check: unknown (null) dimensions. Known-dimension behaviour is
 * covered against PyTorch by catalogue.test.ts.
 */
import { strict as assert } from 'node:assert';
import { broadcastShapes, convOutputSize, convTransposeOutputSize, inferViewShape, normalizeTuple } from '../../../extension/pipeline/torchnn/shapeMath';
import { bindArgs, findFunction, findLayer, ShapeError } from '../../../extension/pipeline/torchnn';

const T = (...shape: (number | null)[]) => ({ kind: 'tensor' as const, shape });

describe('torchnn shapeMath with unknown dims', () => {
  it('output-size formulas propagate null', () => {
    assert.equal(convOutputSize(null, 3, 1, 1, 1), null);
    assert.equal(convTransposeOutputSize(null, 4, 2, 1, 1, 0), null);
  });

  it('broadcasting keeps the known side of an unknown pair and still rejects real mismatches', () => {
    assert.deepEqual(broadcastShapes([null, 3], [4, 1, 3], 'add'), [4, null, 3]);
    assert.deepEqual(broadcastShapes([null, 1], [2, 5], 'add'), [2, 5]);
    assert.throws(() => broadcastShapes([2, 3], [4, 3], 'add'), ShapeError);
  });

  it('view(x.size(0), -1) with an unknown batch still infers -1', () => {
    assert.deepEqual(inferViewShape([null, 16, 5, 5], [null, -1], 'view'), [null, 400]);
    // Two unknowns on the input side: nothing can be inferred.
    assert.deepEqual(inferViewShape([null, null, 5], [null, -1], 'view'), [null, null]);
    // A known target with one unknown recovers it from the element count.
    assert.deepEqual(inferViewShape([2, 3, 4], [2, null], 'view'), [2, 12]);
  });

  it('normalizeTuple repeats ints and rejects wrong lengths', () => {
    assert.deepEqual(normalizeTuple(3, 2, 'kernel_size', 'Conv2d'), [3, 3]);
    assert.throws(() => normalizeTuple([1, 2, 3], 2, 'kernel_size', 'Conv2d'), ShapeError);
  });

  it('layers keep unknown batch dims and report MACs as unknown only when they are', () => {
    const conv = findLayer('Conv2d')!;
    const args = bindArgs(conv.signature, [3, 8, 3], { padding: 1 }).args;
    const o = conv.forward(args, { input: T(null, 3, 16, 16) });
    assert.deepEqual(o, { shape: [null, 8, 16, 16] });
    assert.equal(conv.macs(args, { input: T(null, 3, 16, 16) }, o), null);
    const lstm = findLayer('LSTM')!;
    const la = bindArgs(lstm.signature, [4, 6], { batch_first: true }).args;
    assert.deepEqual(lstm.forward(la, { input: T(null, 7, 4) }), [{ shape: [null, 7, 6] }, [{ shape: [1, null, 6] }, { shape: [1, null, 6] }]]);
  });

  it('split with an unknown size along the dim gives one piece of unknown size', () => {
    const split = findFunction('torch.split')!;
    assert.deepEqual(split.forward(bindArgs(split.signature, [T(null, 4), 2], {}).args), [{ shape: [null, 4] }]);
  });
});
