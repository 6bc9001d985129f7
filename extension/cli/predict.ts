/**
 * `ghn-lens predict FILE --entry EXPR [--ghn CHECKPOINT] [--input 1,3,32,32] --out OUT.safetensors [--json]`
 *
 * Builds the model's architecture graph from its Python source (nothing is executed), predicts every
 * parameter with GHN-2 and writes a safetensors file with exactly the model's state_dict keys.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { ArchGraph, Diagnostic } from '../pipeline/arch/types';
import { writeSafetensors } from '../pipeline/formats/safetensors';
import { loadGhn, predictParameters } from '../pipeline/ghn/index';

export const DEFAULT_GHN = 'media/ghn/ghn-lens-default.safetensors';

const HELP = `Usage: ghn-lens predict FILE --entry EXPR [--ghn CHECKPOINT] [--input 1,3,32,32] --out OUT.safetensors [--json]

Predict every parameter of a PyTorch model with a GHN-2 graph hypernetwork and export them as safetensors.

  FILE              Python source that defines the model (never executed)
  --entry EXPR      the model to build, e.g. 'ResNet()' or 'resnet18(num_classes=10)'
  --ghn CHECKPOINT  GHN-2 checkpoint: ppuda .pt or safetensors with __metadata__.config
                    (default: ${DEFAULT_GHN} in the GHN Lens folder, if present)
  --input SHAPE     input shape, comma-separated (default: the interpreter's default for the model)
  --python-path DIR extra folder to resolve imports from (repeatable)
  --out FILE        output .safetensors (default: <FILE stem>.ghn.safetensors next to FILE)
  --json            print a machine-readable summary instead of text`;

interface Args { file?: string; entry?: string; ghn?: string; input?: number[]; out?: string; json: boolean; pythonPaths: string[]; help: boolean }

function parseArgs(argv: string[]): Args {
  const a: Args = { json: false, pythonPaths: [], help: false };
  for (let i = 0; i < argv.length; i++) {
    const t = argv[i];
    const val = (): string => {
      const eq = t.indexOf('=');
      if (eq > 0) return t.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined) throw new Error(`${t} needs a value`);
      return v;
    };
    const name = t.includes('=') ? t.slice(0, t.indexOf('=')) : t;
    switch (name) {
      case '--entry': a.entry = val(); break;
      case '--ghn': a.ghn = val(); break;
      case '--out': case '-o': a.out = val(); break;
      case '--input': {
        const v = val();
        // '1,3,32,32' or '1x3x32x32': digits separated by commas, x or spaces, nothing else.
        const shape = /^\s*\d+(\s*[,x ]\s*\d+)*\s*$/.test(v) ? v.split(/[,x ]+/).filter(Boolean).map(Number) : [];
        if (!shape.length || shape.some((d) => !Number.isInteger(d) || d <= 0)) throw new Error(`--input '${v}' is not a shape like 1,3,32,32`);
        a.input = shape;
        break;
      }
      case '--python-path': a.pythonPaths.push(val()); break;
      case '--json': a.json = true; break;
      case '--help': case '-h': a.help = true; break;
      default:
        if (t.startsWith('-')) throw new Error(`unknown option ${t}`);
        if (a.file) throw new Error(`unexpected argument '${t}' (FILE is already '${a.file}')`);
        a.file = t;
    }
  }
  return a;
}

/** The bundled default checkpoint, looked up from the bundle (dist/) or the source tree. */
export function defaultGhnPath(): string | undefined {
  const roots = [join(__dirname, '..'), join(__dirname, '..', '..'), process.cwd()];
  for (const r of roots) {
    const p = join(r, DEFAULT_GHN);
    if (existsSync(p)) return p;
  }
  return undefined;
}

function pyString(s: string): string {
  return JSON.stringify(s);
}

/** Two lines of Python that load the exported file into the model. */
export function loadSnippet(file: string, entry: string, out: string): string {
  const mod = basename(file).replace(/\.py$/, '');
  const ctor = entry.replace(/\(.*$/s, '');
  return [
    `import torch, safetensors.torch as st; from ${mod} import ${ctor}`,
    `model = ${entry}; model.load_state_dict(st.load_file(${pyString(out)}), strict=True)`,
  ].join('\n');
}

export async function run(argv: string[]): Promise<number> {
  let a: Args;
  try {
    a = parseArgs(argv);
  } catch (e) {
    console.error(`ghn-lens predict: ${(e as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (a.help) { console.log(HELP); return 0; }
  if (!a.file || !a.entry) { console.error(`ghn-lens predict: FILE and --entry are required\n\n${HELP}`); return 2; }
  const file = resolve(a.file);
  if (!existsSync(file)) { console.error(`ghn-lens predict: ${file} does not exist`); return 2; }
  const ghnPath = a.ghn ? resolve(a.ghn) : defaultGhnPath();
  if (!ghnPath) {
    console.error(`ghn-lens predict: no GHN checkpoint. The default ${DEFAULT_GHN} is not installed; pass one with --ghn, e.g.\n  --ghn /work/shared/ghn2-reference/ghn2_cifar10_seed0.safetensors   (CIFAR-10 config, 32×32 inputs)\n  --ghn ghn2_imagenet.pt                                              (a ppuda checkpoint)`);
    return 2;
  }
  const out = resolve(a.out ?? join(dirname(file), `${basename(file).replace(/\.py$/, '')}.ghn.safetensors`));
  const t0 = performance.now();
  // require (bundled by esbuild; also works under tsx's CommonJS hook), loaded only when predicting.
  const { buildArchGraph } = require('../pipeline/python/index') as typeof import('../pipeline/python/index');
  const source = readFileSync(file, 'utf8');
  const arch: ArchGraph = await buildArchGraph({ source, file, entry: a.entry, inputShape: a.input, pythonPaths: a.pythonPaths.length ? a.pythonPaths : [dirname(file)] });
  const tArch = performance.now() - t0;
  const attrs = arch.getAttributes();
  const errors = attrs.diagnostics.filter((d: Diagnostic) => d.severity === 'error');
  if (arch.order === 0 || !attrs.stateDict.length) {
    console.error(`ghn-lens predict: could not build ${a.entry} from ${file}${errors.length ? `:\n${errors.map((d: Diagnostic) => `  ${d.code}: ${d.message}`).join('\n')}` : ''}`);
    return 1;
  }
  const ghn = await loadGhn(ghnPath);
  const r = await predictParameters(ghn, arch);
  const t1 = performance.now();
  writeSafetensors(out, r.tensors, { format: 'pt', generator: 'ghn-lens', ghn: basename(ghnPath), entry: a.entry, source: basename(file) });
  const tWrite = performance.now() - t1;
  const numel = [...r.tensors.values()].reduce((s, t) => s + t.data.length, 0);
  const warnings = [...(attrs.partial ? ['the architecture graph is partial: the interpreter could not follow everything'] : []), ...errors.map((d: Diagnostic) => `${d.code}: ${d.message}`), ...r.warnings];
  if (a.json) {
    console.log(JSON.stringify({
      file, entry: a.entry, out, ghn: ghnPath, ghnConfig: ghn.config, tensors: r.tensors.size, values: numel,
      predicted: r.predicted, notPredicted: r.notPredicted, ghnGraph: r.ghnGraph,
      timings: { arch: tArch, ...r.timings, write: tWrite }, warnings, snippet: loadSnippet(file, a.entry, out),
    }, null, 2));
  } else {
    console.log(`${a.entry}: ${r.tensors.size} tensors (${numel.toLocaleString('en-US')} values), ${r.predicted.length} predicted by GHN-2 (${basename(ghnPath)}), ${r.notPredicted.length} at default init`);
    console.log(`GHN graph ${r.ghnGraph.nodes} nodes / ${r.ghnGraph.edges} edges; source→graph ${tArch.toFixed(0)} ms, prediction ${r.timings.total.toFixed(0)} ms, write ${tWrite.toFixed(0)} ms`);
    for (const w of warnings.slice(0, 20)) console.log(`warning: ${w}`);
    if (warnings.length > 20) console.log(`(${warnings.length - 20} more warnings; use --json)`);
    console.log(`wrote ${out}\n\nLoad it in Python:\n${loadSnippet(file, a.entry, out)}`);
  }
  return 0;
}
