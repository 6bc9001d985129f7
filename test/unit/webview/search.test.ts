import assert from 'node:assert/strict';
import { searchNodes, searchText } from '../../../webview/search';
import { resnetLike } from '../../webview-harness/synthetic';

describe('webview/search', () => {
  const g = resnetLike(60);
  const hay = g.nodes.map(searchText);
  it('matches op, module type and path, case-insensitively, all terms', () => {
    const convs = searchNodes(hay, 'conv2d');
    assert.ok(convs.length > 5 && convs.every((i) => g.nodes[i].op === 'Conv2d'));
    const one = searchNodes(hay, 'LAYER1.2.conv2');
    assert.deepEqual(one.map((i) => g.nodes[i].modulePath), ['layer1.2.conv2']);
    const bns = searchNodes(hay, 'layer1.2 batchnorm');
    assert.deepEqual(bns.map((i) => g.nodes[i].modulePath), ['layer1.2.bn1', 'layer1.2.bn2', 'layer1.2.bn3']);
    assert.ok(searchNodes(hay, 'elementwise').every((i) => g.nodes[i].op === 'add'));
  });
  it('matches nothing for an empty query, in execution order otherwise', () => {
    assert.deepEqual(searchNodes(hay, '   '), []);
    const r = searchNodes(hay, 'relu');
    assert.deepEqual(r, [...r].sort((a, b) => a - b));
  });
});
