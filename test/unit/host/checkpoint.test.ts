import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkpointPath, DEFAULT_CHECKPOINT } from '../../../extension/host/checkpoint';

describe('host/checkpoint: which GHN to use', () => {
  let ext: string;
  beforeEach(() => { ext = mkdtempSync(join(tmpdir(), 'ghn-lens-ext-')); });
  afterEach(() => rmSync(ext, { recursive: true, force: true }));

  it('is undefined when nothing is bundled and nothing is set', () => {
    assert.equal(checkpointPath(ext, ''), undefined);
  });
  it('takes the setting: absolute as is, relative to the workspace folder', () => {
    assert.equal(checkpointPath(ext, '/x/g.safetensors', '/ws'), '/x/g.safetensors');
    assert.equal(checkpointPath(ext, 'ckpt/g.safetensors', '/ws'), '/ws/ckpt/g.safetensors');
  });
  it('prefers the bundled default checkpoint over other bundled files', () => {
    mkdirSync(join(ext, 'media', 'ghn'), { recursive: true });
    for (const f of ['a_seed0.safetensors', DEFAULT_CHECKPOINT, 'metric-heads.json']) writeFileSync(join(ext, 'media', 'ghn', f), '');
    assert.equal(checkpointPath(ext, ''), join(ext, 'media', 'ghn', DEFAULT_CHECKPOINT));
  });
  it('falls back to another bundled safetensors file', () => {
    mkdirSync(join(ext, 'media', 'ghn'), { recursive: true });
    writeFileSync(join(ext, 'media', 'ghn', 'ghn2.safetensors'), '');
    assert.equal(checkpointPath(ext, ''), join(ext, 'media', 'ghn', 'ghn2.safetensors'));
  });
});
