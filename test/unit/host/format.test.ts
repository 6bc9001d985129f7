import { strict as assert } from 'node:assert';
import { compact, figuresTitle, macs, pythonSnippet, safetensorsName } from '../../../extension/host/format';
import { DEFAULT_INPUT_SHAPE, parseConfig, parseInputShape } from '../../../extension/host/settings';

describe('host/format: CodeLens figures', () => {
  it('compacts counts like a person writes them', () => {
    assert.equal(compact(11_173_962), '11.2M');
    assert.equal(compact(25_557_032), '25.6M');
    assert.equal(compact(4_800), '4.8K');
    assert.equal(compact(950), '950');
    assert.equal(compact(0), '0');
    assert.equal(compact(1_000_000), '1M');
    assert.equal(compact(138_357_544), '138M');
    assert.equal(compact(1.5e9), '1.5B');
  });
  it('writes MACs in G/M/K units', () => {
    assert.equal(macs(556_651_530), '0.56 GMACs');
    assert.equal(macs(4_100_000_000), '4.1 GMACs');
    assert.equal(macs(1_200_000), '1.2 MMACs');
    assert.equal(macs(5_000), '5 KMACs');
    assert.equal(macs(0), '0 MACs');
  });
  it('marks lower bounds when the graph is partial or MACs are not exact', () => {
    assert.equal(figuresTitle({ totalParams: 11_173_962, macs: 556_651_530, partial: false }), '11.2M params · 0.56 GMACs');
    assert.equal(figuresTitle({ totalParams: 11_173_962, macs: 556_651_530, partial: true }), '≥11.2M params · ≥0.56 GMACs');
    assert.equal(figuresTitle({ totalParams: 100, macs: 5_000, partial: false, macsExact: false }), '100 params · ≥5 KMACs');
  });
  it('names the safetensors file after the source and the entry', () => {
    assert.equal(safetensorsName('resnet.py', 'ResNet()'), 'resnet.ResNet.safetensors');
    assert.equal(safetensorsName('vgg.py', "VGG('VGG16')"), 'vgg.VGG_VGG16.safetensors');
    assert.equal(safetensorsName('m.py', 'resnet18(num_classes=10)'), 'm.resnet18_num_classes_10.safetensors');
  });
  it('gives a two-line Python snippet', () => {
    const s = pythonSnippet('resnet', 'ResNet()', 'resnet.ResNet.safetensors');
    assert.equal(s.split('\n').length, 2);
    assert.match(s, /load_file\("resnet\.ResNet\.safetensors"\)/);
  });
});

describe('host/settings: typed ghnLens.* settings', () => {
  it('uses the defaults for missing values', () => {
    assert.deepEqual(parseConfig(() => undefined), { codeLensEnabled: true, defaultInputShape: DEFAULT_INPUT_SHAPE, ghnCheckpoint: '', pythonPaths: [] });
  });
  it('parses values', () => {
    const v: Record<string, unknown> = { 'codeLens.enabled': false, defaultInputShape: [2, 3, 224, 224], ghnCheckpoint: ' /x/ghn.safetensors ', pythonPaths: ['src', '', 3] };
    assert.deepEqual(parseConfig((k) => v[k]), { codeLensEnabled: false, defaultInputShape: [2, 3, 224, 224], ghnCheckpoint: '/x/ghn.safetensors', pythonPaths: ['src'] });
  });
  it('accepts an input shape written as text, and rejects nonsense', () => {
    assert.deepEqual(parseInputShape('1x3x64x64'), [1, 3, 64, 64]);
    assert.deepEqual(parseInputShape('[1, 28, 28]'), [1, 28, 28]);
    assert.deepEqual(parseInputShape([1, 0, 3]), DEFAULT_INPUT_SHAPE);
    assert.deepEqual(parseInputShape([1, 2.5]), DEFAULT_INPUT_SHAPE);
    assert.deepEqual(parseInputShape('abc'), DEFAULT_INPUT_SHAPE);
    assert.deepEqual(parseInputShape([]), DEFAULT_INPUT_SHAPE);
  });
});
