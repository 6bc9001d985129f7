/**
 * What the interpreter cannot follow becomes a located diagnostic and a partial graph, never an exception;
 * and the entry finder lists classes and factories.
 */
import { strict as assert } from 'node:assert';
import { buildArchGraph, findModelEntries } from '../../../extension/pipeline/python/index';
import { archGraphFromJson, archGraphToJson } from '../../../extension/pipeline/arch/json';
import { archGraphToDot } from '../../../extension/pipeline/arch/exportDot';
import { archGraphToGraphml } from '../../../extension/pipeline/arch/exportGraphml';

const FILE = '/tmp/ghn-diag-model.py';
const H = 'import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n';

async function build(src: string, entry: string, inputShape?: number[], stepBudget?: number) {
  const g = await buildArchGraph({ source: src, file: FILE, entry, inputShape, stepBudget, pythonPaths: [] });
  return { g, a: g.getAttributes() };
}

describe('python interpreter diagnostics', function () {
  this.timeout(30000);

  it('reports a syntax error with its line and still builds what it can', async () => {
    const src = `${H}
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 2)
    def forward(self, x):
        return self.fc(x)

def broken(:
    pass
`;
    const { a } = await build(src, 'Net()', [1, 4]);
    const syn = a.diagnostics.find((d) => d.code === 'syntax');
    assert.ok(syn, 'a syntax diagnostic');
    assert.equal(syn!.loc?.line, 11);
    assert.equal(a.partial, true);
    assert.equal(a.totalParams, 10);
    assert.deepEqual(a.outputShape, [1, 2]);
  });

  it('marks unknown layers: unsupported-layer with location, incomplete params, partial', async () => {
    const src = `${H}from timm.layers import FancyNorm

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3)
        self.norm = FancyNorm(8)
    def forward(self, x):
        return self.norm(self.conv(x))
`;
    const { a, g } = await build(src, 'Net()', [1, 3, 8, 8]);
    assert.equal(a.partial, true);
    const u = a.diagnostics.find((d) => d.code === 'unsupported-layer');
    assert.ok(u && u.loc, 'located unsupported-layer');
    assert.ok(a.diagnostics.some((d) => d.code === 'params-incomplete'));
    const unknown = g.filterNodes((_n, n) => n.category === 'unknown');
    assert.equal(unknown.length, 1);
    assert.equal(a.totalParams, 8 * 3 * 9 + 8);
  });

  it('stops `while True` with a step-budget diagnostic, quickly', async () => {
    const src = `${H}
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 2)
        n = 0
        while True:
            n += 1
    def forward(self, x):
        return self.fc(x)
`;
    const t0 = Date.now();
    const { a } = await build(src, 'Net()', [1, 4], 200_000);
    assert.ok(Date.now() - t0 < 3000);
    assert.ok(a.diagnostics.some((d) => d.code === 'step-budget'));
    assert.equal(a.partial, true);
  });

  it('never throws on nonsense entries or sources', async () => {
    for (const [src, entry] of [['', 'Net()'], ['class', 'X'], [`${H}x = 1`, 'x'], [`${H}def f(): return 1/0`, 'f()'], ['\u0000\u0001', '(((']]) {
      const { a } = await build(src, entry, [1, 3]);
      assert.equal(a.partial, true);
      assert.ok(a.diagnostics.length > 0);
    }
  });

  it('a shape error is located in forward', async () => {
    const src = `${H}
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(5, 2)
    def forward(self, x):
        return self.fc(x)
`;
    const { a } = await build(src, 'Net()', [1, 4]);
    const d = a.diagnostics.find((x) => x.code === 'shape-error');
    assert.ok(d);
    assert.equal(d!.loc?.line, 9);
  });

  it('infers the input from the first layer when none is given', async () => {
    const src = `${H}
class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.l1 = nn.Linear(12, 5)
    def forward(self, x):
        return self.l1(x)
`;
    const { a } = await build(src, 'MLP()');
    assert.deepEqual(a.inputShape, [1, 12]);
    assert.ok(a.diagnostics.some((d) => d.code === 'input-shape' && d.severity === 'info'));
    assert.equal(a.partial, false);
  });

  it('finds classes (also via other classes) and factories', async () => {
    const src = `${H}
class Base(nn.Module):
    pass

class Net(Base):
    def __init__(self, depth, width=4):
        super().__init__()

class Helper:
    pass

def make():
    return Net(3)

def make2(pretrained=False, **kwargs):
    model = Net(depth=2, **kwargs)
    return model

def not_a_model(x):
    return Net(x)

def util():
    return 3

if __name__ == "__main__":
    net = Net(5, width=8)
`;
    const entries = await findModelEntries(src, FILE);
    const byName = Object.fromEntries(entries.map((e) => [e.name, e]));
    assert.deepEqual(Object.keys(byName).sort(), ['Base', 'Net', 'make', 'make2']);
    assert.equal(byName.Net.kind, 'class');
    assert.equal(byName.Net.expr, 'Net(3)');
    assert.equal(byName.Base.expr, 'Base()');
    assert.equal(byName.make.expr, 'make()');
    assert.equal(byName.make.loc.line, 14);
  });

  it('round-trips JSON and exports DOT and GraphML', async () => {
    const src = `${H}
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(4, 4)
    def forward(self, x):
        return self.a(x) + x
`;
    const { g } = await build(src, 'Net()', [2, 4]);
    const j = archGraphToJson(g);
    const back = archGraphFromJson(JSON.parse(JSON.stringify(j)));
    assert.deepEqual(archGraphToJson(back), j);
    assert.equal(j.edges.filter((e) => e.target === j.nodes.find((n) => n.op === 'add')!.id).length, 2);
    assert.match(archGraphToDot(g), /digraph/);
    assert.match(archGraphToGraphml(g), /<graphml/);
  });

  it('follows einops patterns and argparse defaults (scripts)', async () => {
    const src = `${H}import argparse
from einops import rearrange, repeat
from einops.layers.torch import Rearrange

parser = argparse.ArgumentParser()
parser.add_argument("--patch", type=int, default=8)
parser.add_argument("--dim", default="32", type=int)
opt = parser.parse_args()

class Patches(nn.Module):
    def __init__(self):
        super().__init__()
        p = opt.patch
        self.embed = nn.Sequential(Rearrange('b c (h p1) (w p2) -> b (h w) (p1 p2 c)', p1=p, p2=p), nn.Linear(3 * p * p, opt.dim))
        self.cls = nn.Parameter(torch.zeros(1, 1, opt.dim))
    def forward(self, x):
        t = self.embed(x)
        c = repeat(self.cls, '1 1 d -> b 1 d', b=t.shape[0])
        t = torch.cat([c, t], dim=1)
        return rearrange(t, 'b n (h d) -> b h n d', h=4)
`;
    const { a, g } = await build(src, 'Patches()', [2, 3, 32, 32]);
    assert.deepEqual(a.diagnostics.filter((d) => d.severity !== 'info'), []);
    assert.deepEqual(a.outputShape, [2, 4, 17, 8]);
    assert.equal(a.totalParams, 192 * 32 + 32 + 32);
    assert.deepEqual(a.stateDict.map((t) => t.name), ['cls', 'embed.1.weight', 'embed.1.bias']);
    assert.ok(g.someNode((_n, n) => n.op === 'rearrange' && n.kind === 'module' && n.modulePath === 'embed.0'));
  });
});
