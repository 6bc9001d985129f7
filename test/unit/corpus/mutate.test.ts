import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './corpus';
import { mutate, prng } from './mutate';

describe('fuzz mutator', () => {
  const source = readFileSync(join(REPO, 'examples/cifar_resnet.py'), 'utf8');

  it('gives the same mutant for the same seed, and different ones for different seeds', () => {
    assert.deepEqual(mutate(source, 42), mutate(source, 42));
    const distinct = new Set(Array.from({ length: 50 }, (_, i) => mutate(source, i).source));
    assert.ok(distinct.size >= 45, `only ${distinct.size} distinct mutants of 50`);
  });

  it('uses every kind of damage over a thousand seeds', function () {
    this.timeout(30_000);
    const kinds = new Map<string, number>();
    for (let seed = 0; seed < 1000; seed++) {
      for (const op of mutate(source, seed).ops) {
        const k = op.split(' ')[0];
        kinds.set(k, (kinds.get(k) ?? 0) + 1);
      }
    }
    for (const k of ['delete', 'truncate', 'swap', 'duplicate', 'number', 'insert', 'drop', 'add', 'reindent']) {
      assert.ok((kinds.get(k) ?? 0) > 20, `${k}: ${kinds.get(k) ?? 0}`);
    }
  });

  it('draws uniformly in [0, 1) from its seeded generator', () => {
    const r = prng(7);
    const xs = Array.from({ length: 10000 }, r);
    assert.ok(xs.every((x) => x >= 0 && x < 1));
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    assert.ok(Math.abs(mean - 0.5) < 0.02, `mean ${mean}`);
  });
});
