import { strict as assert } from 'node:assert';
import { pythonSnippet, safetensorsName } from '../../../extension/host/format';
import { DEFAULT_INPUT_SHAPE, parseConfig, parseInputShape } from '../../../extension/host/settings';

describe('host/format: predicted-weight files', () => {
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
