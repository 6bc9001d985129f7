/**
 * `ghn-lens graph FILE [--entry EXPR] [--input 1,3,32,32] [--format json|dot|graphml] [--python-path DIR]`
 * Builds the architecture graph of a model from its Python source and prints it. Without `--entry`,
 * lists the models the file defines.
 */
import { readFileSync } from 'fs';
import { resolve } from 'path';

const USAGE = `Usage: ghn-lens graph FILE [options]

Build the architecture graph of a PyTorch model from its Python source (nothing is executed).

Options:
  --entry EXPR        What to build: a class (ResNet), a factory (resnet18) or a call
                      expression ("VGG('VGG16')", "resnet50(num_classes=10)").
                      Without it, the file's model classes and factories are listed.
  --input SHAPE       Input shape, comma-separated (default 1,3,224,224, or inferred from the
                      first layer for Linear/Embedding/LSTM models).
  --format FMT        json (default), dot or graphml.
  --python-path DIR   A site-packages directory to resolve installed packages (torchvision...).
                      Repeatable. Default: the system's dist-packages and a .venv beside FILE.
  --budget N          Interpreter step budget (default 1000000).
  --summary           Print a one-line summary instead of the graph.
  -h, --help          This help.`;

export async function run(argv: string[]): Promise<number> {
  let file: string | undefined;
  let entry: string | undefined;
  let input: number[] | undefined;
  let format = 'json';
  let budget: number | undefined;
  let summary = false;
  const pythonPaths: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '-h' || a === '--help') { console.log(USAGE); return 0; }
    else if (a === '--entry') entry = next();
    else if (a === '--input') {
      input = next().split(/[,x ]+/).filter(Boolean).map(Number);
      if (input.some((d) => !Number.isInteger(d) || d < 0)) { console.error('ghn-lens graph: --input must be comma-separated non-negative integers'); return 2; }
    } else if (a === '--format') format = next();
    else if (a === '--python-path') pythonPaths.push(resolve(next()));
    else if (a === '--budget') budget = Number(next());
    else if (a === '--summary') summary = true;
    else if (a.startsWith('-')) { console.error(`ghn-lens graph: unknown option '${a}'\n\n${USAGE}`); return 2; }
    else if (!file) file = a;
    else { console.error(`ghn-lens graph: unexpected argument '${a}'`); return 2; }
  }
  if (!file) { console.error(USAGE); return 2; }
  if (!['json', 'dot', 'graphml'].includes(format)) { console.error(`ghn-lens graph: unknown format '${format}' (json, dot, graphml)`); return 2; }
  const path = resolve(file);
  let source: string;
  try { source = readFileSync(path, 'utf8'); } catch (e) {
    console.error(`ghn-lens graph: cannot read ${file}: ${(e as Error).message}`);
    return 1;
  }
  const { buildArchGraph, findModelEntries, defaultPythonPaths } = await import('../pipeline/python/index');
  const pp = pythonPaths.length ? [...pythonPaths, ...defaultPythonPaths(path)] : undefined;
  if (!entry) {
    const entries = await findModelEntries(source, path, { pythonPaths: pp });
    if (format === 'json') console.log(JSON.stringify(entries, null, 2));
    else for (const e of entries) console.log(`${String(e.loc.line + 1).padStart(5)}  ${e.kind.padEnd(8)} ${e.expr}`);
    return 0;
  }
  const g = await buildArchGraph({ source, file: path, entry, inputShape: input, pythonPaths: pp, stepBudget: budget });
  if (summary) {
    const a = g.getAttributes();
    console.log(`${a.entry}: ${a.modelType} in=[${a.inputShape.join(',')}] out=${a.outputShape ? `[${a.outputShape.join(',')}]` : '?'} params=${a.totalParams} macs=${a.macs} nodes=${g.order} partial=${a.partial} diagnostics=${a.diagnostics.length}`);
    for (const d of a.diagnostics) console.log(`  ${d.severity} ${d.code}: ${d.message}${d.loc ? ` (${d.loc.file}:${d.loc.line + 1}:${d.loc.column + 1})` : ''}`);
    return g.getAttributes().diagnostics.some((d) => d.severity === 'error') ? 1 : 0;
  }
  if (format === 'json') {
    const { archGraphToJson } = await import('../pipeline/arch/json');
    console.log(JSON.stringify(archGraphToJson(g), null, 1));
  } else if (format === 'dot') {
    const { archGraphToDot } = await import('../pipeline/arch/exportDot');
    process.stdout.write(archGraphToDot(g));
  } else {
    const { archGraphToGraphml } = await import('../pipeline/arch/exportGraphml');
    process.stdout.write(archGraphToGraphml(g));
  }
  return 0;
}
