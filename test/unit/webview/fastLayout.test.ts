import assert from 'node:assert/strict';
import { fastLayout, placeRank } from '../../../webview/fastLayout';

describe('webview/fastLayout', () => {
  it('places a rank as close to the wishes as the separation allows', () => {
    assert.deepEqual([...placeRank([0, 0], [0, 10])], [-5, 5]);
    assert.deepEqual([...placeRank([0, 100], [0, 10])], [0, 100]);
    const x = placeRank([5, 0, 0], [0, 10, 10]);
    for (let i = 1; i < 3; i++) assert.ok(x[i] - x[i - 1] >= 10 - 1e-9);
  });

  it('lays a DAG out top-down in ranks without overlaps', () => {
    // diamond 0 → {1, 2} → 3, plus a skip 0 → 3
    const edges = [0, 1, 0, 2, 1, 3, 2, 3, 0, 3];
    const r = fastLayout({ widths: [100, 100, 100, 100], heights: [40, 40, 40, 40], edges, direction: 'TB' });
    assert.deepEqual([...r.ranks], [0, 1, 1, 2]);
    assert.ok(r.ys[0] < r.ys[1] && r.ys[1] === r.ys[2] && r.ys[2] < r.ys[3]);
    assert.ok(Math.abs(r.xs[1] - r.xs[2]) >= 100);
    assert.ok(Math.abs(r.xs[3] - (r.xs[1] + r.xs[2]) / 2) < 1, 'the join sits between its inputs');
    assert.equal(r.routes.length, 5);
    for (let i = 0; i < 4; i++) {
      assert.ok(r.xs[i] - 50 >= 0 && r.xs[i] + 50 <= r.width && r.ys[i] - 20 >= 0 && r.ys[i] + 20 <= r.height);
    }
  });

  it('lays out left-right and survives back edges and 10,000 nodes quickly', () => {
    const n = 10000;
    const edges: number[] = [];
    for (let i = 1; i < n; i++) { edges.push(i - 1, i); if (i % 10 === 0) edges.push(i - 9, i); }
    edges.push(50, 10); // a back edge
    const t0 = Date.now();
    const r = fastLayout({ widths: new Float32Array(n).fill(120), heights: new Float32Array(n).fill(40), edges, direction: 'LR' });
    assert.ok(Date.now() - t0 < 3000, `${Date.now() - t0} ms`);
    assert.ok(r.xs[1] > r.xs[0]);
    assert.ok(Number.isFinite(r.width) && Number.isFinite(r.height));
  });
});
