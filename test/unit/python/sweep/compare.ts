import { buildArchGraph } from '../../../../extension/pipeline/python/index';
// Usage: /usr/bin/python3 test/unit/python/sweep/torchvision_truth.py > /tmp/tvall.json && npx tsx test/unit/python/sweep/compare.ts /tmp/tvall.json
import * as fs from 'fs';
(async () => {
  const truth = JSON.parse(fs.readFileSync(process.argv[2] ?? '/tmp/tvall.json', 'utf8'));
  const src = 'from torchvision.models import *\n';
  let ok = 0, bad = 0;
  for (const [name, t] of Object.entries<any>(truth)) {
    if (typeof t === 'string') { console.log('TORCH-ERR', name, t.slice(0, 80)); continue; }
    const t0 = performance.now();
    const g = await buildArchGraph({ source: src, file: '/tmp/tvall_models.py', entry: `${name}()` });
    const a = g.getAttributes();
    const match = a.totalParams === t[0] && a.stateDict.length === t[1] && !a.partial;
    if (match) ok++; else bad++;
    console.log(match ? 'OK ' : 'BAD', name, (performance.now() - t0).toFixed(0) + 'ms', a.totalParams, t[0], a.stateDict.length, t[1], a.partial ? a.diagnostics.filter(d => d.severity !== 'info').slice(0, 2).map(d => d.code + ':' + d.message.slice(0, 100)).join(' | ') : '');
  }
  console.log('ok', ok, 'bad', bad);
})();
