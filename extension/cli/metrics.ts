/**
 * `ghn-lens metrics FILE [--entry EXPR]... [--input SHAPE] [--json | --html OUT] [--heads FILE]`
 *
 * Static metrics (exact) and predicted metrics (from the GHN's metric heads, when they are bundled) of
 * every model in a Python file, side by side. Nothing is executed: the file is read, never run.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { ArchGraph, ModelEntry } from '../pipeline/arch/types';
import {
  DEFAULT_QUALITY_BAR, formatMetricValue, loadMetricHeads, METRIC_HEADS_FILE, predictWith, type MetricHeads, type MetricHeadsLoad, type NodeEmbeddings,
} from '../pipeline/metrics/predicted';
import { collectReport, reportHtml, reportJson, reportMarkdown } from '../pipeline/metrics/report';
import { computeStaticMetrics } from '../pipeline/metrics/static';

/** The bundled GHN, whose embeddings the bundled heads read. */
export const DEFAULT_GHN_FILE = 'media/ghn/ghn-lens-default.safetensors';

export const HELP = `Usage: ghn-lens metrics FILE [options]

Static and predicted quality metrics of the models in a Python file (the file is read, never run).
Every model class and factory in FILE is analysed unless --entry is given.

Static metrics are exact for the input shape: parameters (total, trainable), MACs, weights memory,
activation memory (sum of all op outputs, and the inference peak), depth, op counts, per-module figures.
Predicted metrics (accuracy after a fixed training budget on the GHN's task, CPU inference time per image,
convergence speed) come from metric heads trained on the GHN's graph embedding; without a trained heads
file they are reported as "not available".

Options:
  --entry EXPR         a model to analyse: a class or factory name or a call (\`ResNet\`, \`resnet18(num_classes=10)\`);
                       repeatable; default: every entry found in FILE
  --input SHAPE        input shape, batch first: 1,3,32,32 or [1,3,32,32] or 1x3x32x32 (default 1,3,32,32)
  --python-path DIR    extra folder searched for imported Python files (repeatable)
  --heads FILE         metric heads JSON (default: ${METRIC_HEADS_FILE} of the extension)
  --ghn FILE           the GHN checkpoint the heads were trained on (default: ${DEFAULT_GHN_FILE})
  --json               print the report as JSON
  --html OUT           write a self-contained HTML report (no scripts) to OUT
  --summary            only the side-by-side table (no per-module tables or diagnostics)
  --quality            print how well the metric heads predict on held-out architectures (Kendall τ, MAE)
                       and exit; needs no FILE
  --max-layers N       per-module rows shown per model (default 60)
  -h, --help           show this help

Exit status: 0 when every model was analysed, 1 when some could not be built, 2 on bad usage.`;

export interface MetricsArgs {
  file: string;
  entries: string[];
  inputShape: number[];
  pythonPaths: string[];
  heads?: string;
  ghn?: string;
  json: boolean;
  html?: string;
  summary: boolean;
  maxLayers: number;
  /** Print the held-out quality of the metric heads and exit (no FILE). */
  quality: boolean;
}

export class UsageError extends Error {}

/** "1,3,32,32", "[1, 3, 32, 32]", "1x3x32x32" → [1, 3, 32, 32]. */
export function parseShape(text: string): number[] {
  const parts = text.replace(/^[[(]|[\])]$/g, '').split(/[\s,x×]+/).filter(Boolean);
  const dims = parts.map(Number);
  if (!dims.length || dims.some((d) => !Number.isInteger(d) || d < 1)) throw new UsageError(`bad input shape '${text}' (expected e.g. 1,3,32,32)`);
  return dims;
}

export function parseArgs(argv: string[]): MetricsArgs | 'help' {
  const a: MetricsArgs = { file: '', entries: [], inputShape: [1, 3, 32, 32], pythonPaths: [], json: false, summary: false, maxLayers: 60, quality: false };
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf('=');
    const [flag, inline] = arg.startsWith('--') && eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '-h': case '--help': return 'help';
      case '--entry': a.entries.push(value()); break;
      case '--input': a.inputShape = parseShape(value()); break;
      case '--python-path': a.pythonPaths.push(value()); break;
      case '--heads': a.heads = value(); break;
      case '--ghn': a.ghn = value(); break;
      case '--json': a.json = true; break;
      case '--html': a.html = value(); break;
      case '--summary': a.summary = true; break;
      case '--quality': a.quality = true; break;
      case '--max-layers': {
        const n = Number(value());
        if (!Number.isInteger(n) || n < 0) throw new UsageError('--max-layers needs a whole number');
        a.maxLayers = n;
        break;
      }
      default:
        if (flag.startsWith('-') && flag !== '-') throw new UsageError(`unknown option ${flag}`);
        files.push(arg);
    }
  }
  if (a.quality && files.length === 0) return a;
  if (files.length !== 1) throw new UsageError(files.length ? 'give one FILE' : 'missing FILE');
  a.file = files[0];
  return a;
}

/** The extension's root (the folder of its package.json), from the bundle or the sources. */
export function extensionRoot(from = __dirname): string {
  let d = from;
  for (let i = 0; i < 6; i++) {
    const pj = join(d, 'package.json');
    if (existsSync(pj)) {
      try {
        if (JSON.parse(readFileSync(pj, 'utf8')).name === 'ghn-lens') return d;
      } catch { /* keep looking */ }
    }
    d = dirname(d);
  }
  return resolve(from, '..');
}

/**
 * The GHN's node embeddings, loaded only when trained heads exist, so a plain static report never loads
 * the GHN. A GHN that cannot be loaded becomes a reason ("not available"), not an error.
 */
async function ghnEmbedder(ghnPath: string): Promise<{ embed?: (g: ArchGraph) => Promise<NodeEmbeddings>; identity?: { sha256?: string; hid: number }; why?: string }> {
  if (!existsSync(ghnPath)) return { why: `the GHN checkpoint ${ghnPath} does not exist` };
  try {
    const { loadGhn } = await import('../pipeline/ghn/index');
    const { ghnNodeEmbeddings, fileSha256 } = await import('../pipeline/metrics/embed');
    const ghn = await loadGhn(ghnPath);
    return { embed: (g) => ghnNodeEmbeddings(ghn, g), identity: { sha256: fileSha256(ghnPath), hid: ghn.hid } };
  } catch (e) {
    return { why: `could not load the GHN ${ghnPath}: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/** The held-out quality of each head, as a Markdown table. */
export function qualityTable(h: MetricHeads, file: string): string {
  const L = [`Metric heads ${file} (GHN ${h.ghn.checkpoint}; task ${h.task.dataset} ${JSON.stringify(h.task.inputShape)})`, '',
    '| metric | held-out architectures | Kendall τ | mean absolute error | shown (τ ≥ ' + `${DEFAULT_QUALITY_BAR.minKendallTau}, n ≥ ${DEFAULT_QUALITY_BAR.minHeldOut})` + ' |',
    '|---|---:|---:|---:|---|'];
  for (const [name, m] of Object.entries(h.heads)) {
    if (!m) continue;
    const q = m.heldOut;
    const shown = q.n >= DEFAULT_QUALITY_BAR.minHeldOut && q.kendallTau >= DEFAULT_QUALITY_BAR.minKendallTau;
    L.push(`| ${name} (${m.label}) | ${q.n} | ${q.kendallTau.toFixed(3)} | ${formatMetricValue({ value: q.mae, unit: m.unit })} | ${shown ? 'yes' : 'no'} |`);
  }
  return L.join('\n');
}

export async function run(argv: string[]): Promise<number> {
  let args: MetricsArgs | 'help';
  try {
    args = parseArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`ghn-lens metrics: ${e.message}\n\n${HELP}`);
      return 2;
    }
    throw e;
  }
  if (args === 'help') {
    console.log(HELP);
    return 0;
  }
  if (args.quality) {
    const h = loadMetricHeads(args.heads ? resolve(args.heads) : join(extensionRoot(), METRIC_HEADS_FILE));
    console.log(h.ok ? qualityTable(h.heads, h.file) : `Predicted metrics not available: ${h.reason}`);
    return h.ok ? 0 : 1;
  }
  const file = resolve(args.file);
  if (!existsSync(file)) {
    console.error(`ghn-lens metrics: ${args.file}: no such file`);
    return 2;
  }
  const source = readFileSync(file, 'utf8');
  // Loaded here, not at the top: `--help` and the argument parser stay independent of the interpreter.
  const { buildArchGraph, findModelEntries, defaultPythonPaths } = await import('../pipeline/python/index');
  const readFile = (f: string): string | undefined => (existsSync(f) ? readFileSync(f, 'utf8') : undefined);
  const pythonPaths = [dirname(file), ...args.pythonPaths.map((p) => resolve(p)), ...defaultPythonPaths(file)];
  let entries = args.entries;
  if (!entries.length) entries = (await findModelEntries(source, file, { readFile, pythonPaths })).map((e: ModelEntry) => e.expr);

  const headsFile = args.heads ? resolve(args.heads) : join(extensionRoot(), METRIC_HEADS_FILE);
  const heads: MetricHeadsLoad = loadMetricHeads(headsFile);
  const ghnPath = args.ghn ? resolve(args.ghn) : join(extensionRoot(), DEFAULT_GHN_FILE);
  const ghn = heads.ok ? await ghnEmbedder(ghnPath) : {};
  const predict = (g: ArchGraph) => (heads.ok && !ghn.embed
    ? Promise.resolve({ available: false as const, reason: ghn.why ?? 'no GHN' })
    : predictWith(g, heads, ghn.embed, ghn.identity));

  const buildOptions = (entry: string) => ({ source, file, entry, inputShape: args.inputShape, pythonPaths, readFile });
  const report = await collectReport<ArchGraph>({
    file: args.file,
    inputShape: args.inputShape,
    entries,
    build: (entry) => buildArchGraph(buildOptions(entry)),
    measure: computeStaticMetrics,
    diagnosticsOf: (g) => g.getAttribute('diagnostics') ?? [],
    predict,
  });

  if (args.html) {
    writeFileSync(args.html, reportHtml(report, { maxLayers: args.maxLayers, details: !args.summary }));
    if (!args.json) console.error(`wrote ${args.html}`);
  }
  if (args.json) console.log(JSON.stringify(reportJson(report), null, 2));
  else if (!args.html) console.log(reportMarkdown(report, { maxLayers: args.maxLayers, details: !args.summary }));
  return report.models.some((m) => m.error) ? 1 : 0;
}
