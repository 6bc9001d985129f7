/**
 * The metric heads are fitted in Python on graph embeddings of traced PyTorch models
 * (training/metrics/train_heads.py) and applied in the extension to embeddings of graphs built from
 * source. This checks the two agree: for one sampled architecture of each family of training/sampler.py,
 * the interpreter builds the net from the sampler's own source (`build({...spec})`, never running it),
 * the TypeScript GHN embeds it, and the mean node embedding must equal PyTorch's (same random GHN) to
 * float32 precision, with the same node count and parameter count.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadGhn, type Ghn } from '../../../extension/pipeline/ghn/index';
import { ghnNodeEmbeddings } from '../../../extension/pipeline/metrics/embed';
import { meanEmbedding } from '../../../extension/pipeline/metrics/predicted';
import { computeStaticMetrics } from '../../../extension/pipeline/metrics/static';
import { buildArchGraph } from '../../../extension/pipeline/python/index';

const REPO = resolve(__dirname, '../../..');
const SAMPLER = join(REPO, 'training/sampler.py');

interface PyCase { spec: Record<string, unknown>; params: number; nodes: number; mean: number[] }

/** A JSON value as a Python literal. */
function pyLiteral(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(pyLiteral).join(', ')}]`;
  return `{${Object.entries(v as Record<string, unknown>).map(([k, x]) => `${JSON.stringify(k)}: ${pyLiteral(x)}`).join(', ')}}`;
}

describe('metrics: GHN graph embeddings from source == from PyTorch', function () {
  this.timeout(300_000);
  let cases: PyCase[] = [];
  let ghn: Ghn;

  before(async function () {
    if (!existsSync(SAMPLER)) this.skip();
    const dir = mkdtempSync(join(tmpdir(), 'ghn-emb-'));
    const r = spawnSync('/usr/bin/python3', [join(__dirname, 'py_embeddings.py'), dir], { encoding: 'utf8', maxBuffer: 16 << 20 });
    if (r.status !== 0) throw new Error(`py_embeddings.py failed (${r.status}): ${r.stderr}`);
    const out = JSON.parse(r.stdout) as { ghn: string; cases: PyCase[] };
    cases = out.cases;
    ghn = await loadGhn(out.ghn);
  });

  it('covers every family of the sampler and matches each one', async () => {
    assert.ok(cases.length >= 2, 'at least two families sampled');
    const source = readFileSync(SAMPLER, 'utf8');
    for (const c of cases) {
      const g = await buildArchGraph({ source, file: SAMPLER, entry: `build(${pyLiteral(c.spec)})`, inputShape: [1, 3, 32, 32] });
      const what = `${String(c.spec.family)} (seed ${String(c.spec.seed)})`;
      assert.equal(g.getAttribute('partial'), false, `${what}: partial graph`);
      assert.equal(computeStaticMetrics(g).totalParams, c.params, `${what}: params`);
      const e = await ghnNodeEmbeddings(ghn, g);
      assert.equal(e.n, c.nodes, `${what}: GHN graph nodes`);
      const m = meanEmbedding(e.data, e.n, e.dim);
      const diff = Math.max(...Array.from(m, (v, k) => Math.abs(v - c.mean[k])));
      assert.ok(diff < 1e-4, `${what}: max |difference| of the mean embedding ${diff}`);
    }
  });
});
