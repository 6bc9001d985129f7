import assert from 'node:assert/strict';
import { buildHierarchy, collapseModule, containerOf, defaultCollapsed, expandModule, expandTo, visibleGraph } from '../../../webview/hierarchy';
import { densenetLike, resnetLike } from '../../webview-harness/synthetic';

describe('webview/hierarchy', () => {
  it('puts a module call in its parent module and other ops in the module that ran them', () => {
    assert.equal(containerOf({ kind: 'module', modulePath: 'layer1.0.conv1' }), 'layer1.0');
    assert.equal(containerOf({ kind: 'module', modulePath: 'fc' }), '');
    assert.equal(containerOf({ kind: 'function', modulePath: 'layer1.0' }), 'layer1.0');
  });

  it('counts ops and params per module', () => {
    const g = resnetLike(120);
    const h = buildHierarchy(g);
    const block = h.modules.get('layer1.0')!;
    assert.equal(block.opCount, 10);
    assert.equal(block.type, 'Bottleneck');
    assert.equal(h.modules.get('layer1')!.children[0], 'layer1.0');
    // 3 convs (c*c*k*k) + 3 BNs (2c) for c = 64.
    assert.equal(block.params, 64 * 64 * (1 + 9 + 1) + 3 * 2 * 64);
    assert.equal(h.modules.get('layer1')!.opCount, 80);
  });

  it('replaces a collapsed module by one group node and merges edges', () => {
    const g = resnetLike(120);
    const h = buildHierarchy(g);
    const all = visibleGraph(g, h, new Set());
    assert.equal(all.nodes.length, g.nodes.length);
    assert.equal(all.edges.length, g.edges.length);
    const vg = visibleGraph(g, h, new Set(['layer1']));
    assert.equal(vg.nodes.length, g.nodes.length - 80 + 1);
    const gi = vg.indexOf.get('g:layer1')!;
    assert.ok(gi >= 0);
    // conv1 → layer1 carries two tensors (the block input and the identity) merged into one edge of count 2.
    const into = vg.edges.filter((e) => e.target === gi);
    assert.equal(into.length, 1);
    assert.equal(into[0].count, 2);
    assert.ok(vg.edges.every((e) => e.source !== e.target));
  });

  it('collapses big graphs by default, within the threshold, breadth first', () => {
    const g = densenetLike();
    const h = buildHierarchy(g);
    const small = resnetLike(100);
    assert.equal(defaultCollapsed(buildHierarchy(small), small.nodes.length, 300).size, 0);
    const c = defaultCollapsed(h, g.nodes.length, 300);
    const vg = visibleGraph(g, h, c);
    assert.ok(vg.nodes.length <= 300, `${vg.nodes.length} visible`);
    assert.ok(vg.nodes.length > 20);
    assert.ok(!c.has('features'), 'the top-level Sequential is expanded');
  });

  it('expands and collapses one level at a time and reveals a hidden node', () => {
    const g = resnetLike(200);
    const h = buildHierarchy(g);
    let c = new Set(['layer1', 'layer2']);
    c = expandModule(h, 'layer1', c);
    assert.ok(!c.has('layer1') && c.has('layer1.0') && c.has('layer1.7'));
    c = collapseModule('layer1', c);
    assert.deepEqual([...c].sort(), ['layer1', 'layer2']);
    const idx = g.nodes.findIndex((n) => n.modulePath === 'layer2.3.conv2');
    const next = expandTo(h, idx, c);
    assert.ok(!next.has('layer2') && !next.has('layer2.3') && next.has('layer2.2') && next.has('layer1'));
    const vg = visibleGraph(g, h, next);
    assert.equal(vg.nodes[vg.nodeToVisible[idx]].id, g.nodes[idx].id);
  });
});
