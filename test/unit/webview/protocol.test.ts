import assert from 'node:assert/strict';
import { isHostMessage, isWebviewMessage } from '../../../extension/protocol/panel';
import { entryAtLine, nodesAtLine } from '../../../extension/host/panelLogic';
import { resnetLike } from '../../webview-harness/synthetic';

describe('protocol/panel guards', () => {
  it('accepts well-formed webview messages and rejects others', () => {
    assert.ok(isWebviewMessage({ type: 'ready' }));
    assert.ok(isWebviewMessage({ type: 'reveal', loc: { file: '/a.py', line: 1, column: 0, endLine: 1, endColumn: 3 } }));
    assert.ok(isWebviewMessage({ type: 'export', format: 'png', data: 'data:image/png;base64,AA' }));
    assert.ok(!isWebviewMessage({ type: 'reveal' }));
    assert.ok(!isWebviewMessage({ type: 'export', format: 'exe' }));
    assert.ok(!isWebviewMessage({ type: 'nope' }));
    assert.ok(!isWebviewMessage(null));
    assert.ok(isHostMessage({ type: 'highlight', nodeIds: [] }));
    assert.ok(!isHostMessage({ type: 'x' }));
  });
});

describe('host/panelLogic', () => {
  const loc = (line: number, endLine: number) => ({ file: '/m.py', line, column: 0, endLine, endColumn: 0 });
  it('finds the model under the cursor', () => {
    const entries = [
      { name: 'Block', kind: 'class' as const, expr: 'Block()', loc: loc(2, 10) },
      { name: 'Net', kind: 'class' as const, expr: 'Net()', loc: loc(12, 30) },
    ];
    assert.equal(entryAtLine(entries, 5)?.expr, 'Block()');
    assert.equal(entryAtLine(entries, 20)?.expr, 'Net()');
    assert.equal(entryAtLine(entries, 40)?.expr, 'Block()');
    const single = [{ ...entries[0], loc: loc(2, 2) }, { ...entries[1], loc: loc(12, 12) }];
    assert.equal(entryAtLine(single, 20)?.expr, 'Net()');
  });
  it('finds the nodes made by a line', () => {
    const g = resnetLike(40);
    const line = g.nodes[5].loc!.line;
    const ids = nodesAtLine(g, '/synthetic/model.py', line);
    assert.ok(ids.includes(g.nodes[5].id));
    assert.deepEqual(nodesAtLine(g, '/other.py', line), []);
  });
});
