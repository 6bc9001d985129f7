/**
 * The quality-metrics report of every model in a file: static figures side by side, predicted metrics
 * (or why they are not available), per-module tables and diagnostics. As Markdown (markdown preview, CLI)
 * and as a self-contained HTML page without scripts (a webview), and as plain JSON (`--json`).
 */
import type { Diagnostic } from '../arch/types';
import {
  formatMetricValue, type PredictedMetric, type PredictedMetrics,
} from './predicted';
import { formatBytes, formatCount, formatMacs, formatShape, type LayerFigures, type StaticMetrics } from './static';

export interface ModelReport {
  /** The entry expression (`ResNet()`, `resnet18(num_classes=10)`). */
  entry: string;
  /** Absent when the graph could not be built at all (see `error`). */
  static?: StaticMetrics;
  predicted: PredictedMetrics;
  diagnostics: Diagnostic[];
  /** Why the model could not be analysed (an exception from the pipeline), if so. */
  error?: string;
}

export interface MetricsReport {
  file: string;
  inputShape: number[];
  models: ModelReport[];
}

export interface ReportOptions {
  /** Per-module rows shown per model (the rest are summarised). Default 60; 0 hides the tables. */
  maxLayers?: number;
  /** Include the per-model details (op counts, per-module table, diagnostics). Default true. */
  details?: boolean;
}

interface Row { label: string; cells: string[]; hint?: string }

const PRED_LABEL: Record<string, string> = {
  accuracy: 'Predicted accuracy', inferenceMs: 'Predicted CPU time / image', convergenceSteps: 'Predicted convergence',
};

/** A graph with no op at all and marked partial: nothing was built (e.g. a class needing arguments). */
function built(r: ModelReport): StaticMetrics | undefined {
  return r.static && !(r.static.partial && r.static.numOps === 0) ? r.static : undefined;
}

function firstError(r: ModelReport): string | undefined {
  const d = r.diagnostics.find((x) => x.severity === 'error');
  return d ? `${d.message}${d.loc ? ` (line ${d.loc.line + 1})` : ''}` : undefined;
}

function staticRows(models: ModelReport[]): Row[] {
  const s = (f: (m: StaticMetrics) => string) => models.map((r) => {
    const m = built(r);
    return m ? f(m) : '—';
  });
  const lb = (m: StaticMetrics) => (m.partial ? '≥' : '');
  return [
    { label: 'Parameters', cells: s((m) => `${lb(m)}${formatCount(m.totalParams)}`), hint: 'sum(p.numel() for p in model.parameters())' },
    { label: 'Trainable', cells: s((m) => `${lb(m)}${formatCount(m.trainableParams)}`) },
    { label: 'MACs', cells: s((m) => `${m.partial || !m.macsExact ? '≥' : ''}${formatMacs(m.macs)}`), hint: 'multiply-accumulates of one forward pass for the input shape' },
    { label: 'Weights memory', cells: s((m) => formatBytes(m.paramBytes)), hint: 'parameters and buffers at their dtypes' },
    { label: 'Activations (all outputs)', cells: s((m) => `${m.activation.exact && !m.partial ? '' : '≥'}${formatBytes(m.activation.totalBytes)}`),
      hint: 'sum of every op\'s output tensors, float32: the order of what a training step keeps for backward' },
    { label: 'Peak activations (inference)', cells: s((m) => `${m.activation.exact && !m.partial ? '' : '≥'}${formatBytes(m.activation.peakInferenceBytes)}`),
      hint: 'largest set of live tensors when running forward without autograd, tensors freed after their last use, views sharing memory (a lower estimate)' },
    { label: 'Depth (param. layers)', cells: s((m) => String(m.depth.parameterised)), hint: 'most layers with parameters on one input→output path' },
    { label: 'Depth (ops)', cells: s((m) => String(m.depth.ops)), hint: 'most ops on one input→output path' },
    { label: 'Ops', cells: s((m) => String(m.numOps)) },
    { label: 'Output', cells: s((m) => formatShape(m.outputShape)) },
  ];
}

function predictedCell(p: PredictedMetrics, name: string): string {
  if (!p.available) return 'not available';
  const m = p.metrics.find((x) => x.name === name);
  return m ? predictedText(m) : 'not available';
}

function predictedText(m: PredictedMetric): string {
  const pct = Number.isFinite(m.percentile) ? `, top ${Math.max(1, Math.round((1 - m.percentile) * 100))}%` : '';
  return `${formatMetricValue(m)} ±${formatMetricValue({ value: m.mae, unit: m.unit })} (τ ${m.kendallTau.toFixed(2)}${pct})`;
}

function predictedRows(models: ModelReport[]): Row[] {
  return Object.entries(PRED_LABEL).map(([name, label]) => ({ label, cells: models.map((r) => predictedCell(r.predicted, name)) }));
}

function notes(r: ModelReport): string {
  if (r.error) return `could not build: ${r.error}`;
  if (r.static && !built(r)) return `could not build: ${firstError(r) ?? 'no op was reached'}`;
  const errs = r.diagnostics.filter((d) => d.severity === 'error').length;
  const warns = r.diagnostics.filter((d) => d.severity === 'warning').length;
  const parts = [r.static?.partial ? 'incomplete graph' : '', errs ? `${errs} error${errs > 1 ? 's' : ''}` : '', warns ? `${warns} warning${warns > 1 ? 's' : ''}` : ''];
  return parts.filter(Boolean).join(', ') || 'ok';
}

/** Why predicted metrics are missing, once per distinct reason. */
function unavailableReasons(models: ModelReport[]): string[] {
  return [...new Set(models.flatMap((r) => (r.predicted.available || r.error || !built(r) ? [] : [r.predicted.reason])))];
}

function predictionNotes(models: ModelReport[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const r of models) {
    if (!r.predicted.available) continue;
    for (const m of r.predicted.metrics) {
      if (seen.has(m.name)) continue;
      seen.add(m.name);
      out.push(`${m.label}: ${m.description} Held-out quality over ${m.heldOutN} architectures: Kendall τ ${m.kendallTau.toFixed(2)}, `
        + `mean absolute error ${formatMetricValue({ value: m.mae, unit: m.unit })}. "top N%" ranks the prediction among the held-out architectures' predictions.`);
    }
  }
  return out;
}

function layerRows(layers: LayerFigures[], max: number): { rows: string[][]; hidden: number } {
  // Show the tree down to the leaves, in named_modules() order; the root first.
  const rows = layers.slice(0, max).map((l) => [
    `${'\u00a0\u00a0'.repeat(l.level)}${l.path || '(model)'}`, l.type, formatCount(l.params), `${l.macsExact ? '' : '≥'}${formatMacs(l.macs)}`,
    formatShape(l.outputShape), l.calls > 1 ? String(l.calls) : '',
  ]);
  return { rows, hidden: Math.max(0, layers.length - max) };
}

const LAYER_HEAD = ['module', 'type', 'params', 'MACs', 'output', 'calls'];

// ---- Markdown ----

function mdEscape(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/\n/g, ' ');
}

function mdTable(head: string[], rows: string[][], align?: string[]): string[] {
  return [
    `| ${head.map(mdEscape).join(' | ')} |`,
    `|${head.map((_, i) => (align?.[i] ?? '---')).join('|')}|`,
    ...rows.map((r) => `| ${r.map(mdEscape).join(' | ')} |`),
  ];
}

export function reportMarkdown(rep: MetricsReport, opts: ReportOptions = {}): string {
  const max = opts.maxLayers ?? 60;
  const details = opts.details ?? true;
  const L: string[] = [`# GHN Lens: quality metrics of ${rep.file}`, ''];
  if (!rep.models.length) return [...L, 'No nn.Module class or model factory found.', ''].join('\n');
  L.push(`Input ${formatShape(rep.inputShape)}; activations counted as float32.`, '');
  const models = rep.models;
  const head = ['', ...models.map((r) => `\`${r.entry}\``)];
  const rows = [...staticRows(models), ...predictedRows(models), { label: 'Notes', cells: models.map(notes) }];
  L.push(...mdTable(head, rows.map((r) => [r.label, ...r.cells]), ['---', ...models.map(() => '---:')]), '');
  const reasons = unavailableReasons(models);
  if (reasons.length) L.push(`Predicted metrics not available: ${reasons.map(mdEscape).join('; ')}.`, '');
  for (const n of predictionNotes(models)) L.push(`- ${mdEscape(n)}`);
  L.push('', '<details><summary>What the static figures mean</summary>', '');
  for (const r of staticRows(models)) if (r.hint) L.push(`- **${r.label}**: ${r.hint}.`);
  L.push('- "≥": a lower bound, because the graph is incomplete or a shape is unknown.', '', '</details>', '');
  if (!details) return L.join('\n');
  for (const r of models) {
    L.push(`## \`${r.entry}\``, '');
    if (r.error) L.push(`Could not build: ${mdEscape(r.error)}`, '');
    const m = built(r);
    if (r.static && !m) L.push(`Could not build: ${mdEscape(firstError(r) ?? 'no op was reached')}`, '');
    if (m) {
      const cats = Object.entries(m.categoryCounts).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ');
      L.push(`${m.modelType}: ${formatCount(m.totalParams)} params (${m.totalParams.toLocaleString('en-US')}), `
        + `${formatMacs(m.macs)} (${m.macs.toLocaleString('en-US')} MACs). Ops by category: ${cats || 'none'}.`, '');
      if (max > 0 && m.layers.length) {
        const { rows: lr, hidden } = layerRows(m.layers, max);
        L.push(...mdTable(LAYER_HEAD, lr, ['---', '---', '---:', '---:', '---', '---:']));
        if (hidden) L.push('', `… ${hidden} more modules.`);
        L.push('');
      }
    }
    if (r.diagnostics.length) {
      L.push('Diagnostics:', '');
      for (const d of r.diagnostics.slice(0, 20)) {
        const at = d.loc ? ` (line ${d.loc.line + 1})` : '';
        L.push(`- ${d.severity} \`${d.code}\`${at}: ${mdEscape(d.message)}`);
      }
      if (r.diagnostics.length > 20) L.push(`- … ${r.diagnostics.length - 20} more`);
      L.push('');
    }
  }
  return L.join('\n');
}

// ---- HTML (self-contained, no scripts) ----

export function htmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

function htmlTable(head: string[], rows: { cells: string[]; title?: string }[], numericFrom = 1): string {
  const th = head.map((h) => `<th>${htmlEscape(h)}</th>`).join('');
  const tr = rows.map((r) => `<tr${r.title ? ` title="${htmlEscape(r.title)}"` : ''}>${r.cells.map((c, i) =>
    (i === 0 ? `<th scope="row">${htmlEscape(c)}</th>` : `<td${i >= numericFrom ? ' class="n"' : ''}>${htmlEscape(c)}</td>`)).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${th}</tr></thead><tbody>\n${tr}\n</tbody></table>`;
}

const CSS = `body{font-family:var(--vscode-font-family,system-ui,sans-serif);font-size:var(--vscode-font-size,13px);color:var(--vscode-foreground,#222);background:var(--vscode-editor-background,#fff);padding:0 16px 24px}
table{border-collapse:collapse;margin:8px 0 16px}th,td{border:1px solid var(--vscode-panel-border,#ccc);padding:3px 8px;text-align:left;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums}thead th{background:var(--vscode-editorWidget-background,#f3f3f3)}
.na{opacity:.7;font-style:italic}.note{opacity:.85}code{font-family:var(--vscode-editor-font-family,monospace)}pre{margin:0}
details{margin:8px 0}.tree{white-space:pre;font-family:var(--vscode-editor-font-family,monospace)}`;

export function reportHtml(rep: MetricsReport, opts: ReportOptions = {}): string {
  const max = opts.maxLayers ?? 60;
  const details = opts.details ?? true;
  const title = `GHN Lens: quality metrics of ${rep.file}`;
  const B: string[] = [`<h1>${htmlEscape(title)}</h1>`];
  const models = rep.models;
  if (!models.length) B.push('<p>No nn.Module class or model factory found.</p>');
  else {
    B.push(`<p>Input ${htmlEscape(formatShape(rep.inputShape))}; activations counted as float32.</p>`);
    const rows = [...staticRows(models), ...predictedRows(models), { label: 'Notes', cells: models.map(notes) }];
    B.push(htmlTable(['', ...models.map((r) => r.entry)], rows.map((r) => ({ cells: [r.label, ...r.cells], title: r.hint }))));
    const reasons = unavailableReasons(models);
    if (reasons.length) B.push(`<p class="na">Predicted metrics not available: ${htmlEscape(reasons.join('; '))}.</p>`);
    const pn = predictionNotes(models);
    if (pn.length) B.push(`<ul class="note">${pn.map((n) => `<li>${htmlEscape(n)}</li>`).join('')}</ul>`);
    B.push('<details><summary>What the static figures mean</summary><ul>'
      + staticRows(models).filter((r) => r.hint).map((r) => `<li><b>${htmlEscape(r.label)}</b>: ${htmlEscape(r.hint!)}.</li>`).join('')
      + '<li>"≥": a lower bound, because the graph is incomplete or a shape is unknown.</li></ul></details>');
    if (details) {
      for (const r of models) {
        B.push(`<h2><code>${htmlEscape(r.entry)}</code></h2>`);
        if (r.error) B.push(`<p>Could not build: ${htmlEscape(r.error)}</p>`);
        const m = built(r);
        if (r.static && !m) B.push(`<p>Could not build: ${htmlEscape(firstError(r) ?? 'no op was reached')}</p>`);
        if (m) {
          const cats = Object.entries(m.categoryCounts).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ');
          B.push(`<p>${htmlEscape(m.modelType)}: ${m.totalParams.toLocaleString('en-US')} params, ${m.macs.toLocaleString('en-US')} MACs. Ops by category: ${htmlEscape(cats || 'none')}.</p>`);
          if (max > 0 && m.layers.length) {
            const { rows: lr, hidden } = layerRows(m.layers, max);
            B.push(`<details><summary>Per module (${m.layers.length})</summary>${htmlTable(LAYER_HEAD, lr.map((c) => ({ cells: c })), 2)
              .replace(/<th scope="row">/g, '<th scope="row" class="tree">')}${hidden ? `<p>… ${hidden} more modules.</p>` : ''}</details>`);
          }
        }
        if (r.diagnostics.length) {
          B.push(`<details><summary>Diagnostics (${r.diagnostics.length})</summary><ul>${r.diagnostics.slice(0, 50).map((d) =>
            `<li>${htmlEscape(`${d.severity} ${d.code}${d.loc ? ` (line ${d.loc.line + 1})` : ''}: ${d.message}`)}</li>`).join('')}</ul></details>`);
        }
      }
    }
  }
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline';">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${htmlEscape(title)}</title><style>${CSS}</style></head>
<body>
${B.join('\n')}
</body></html>
`;
}

// ---- JSON ----

/** The report as plain JSON (what `ghn-lens metrics --json` prints). */
export function reportJson(rep: MetricsReport): unknown {
  return {
    file: rep.file,
    inputShape: rep.inputShape,
    models: rep.models.map((r) => ({
      entry: r.entry,
      static: r.static ?? null,
      predicted: r.predicted,
      diagnostics: r.diagnostics,
      ...(r.error ? { error: r.error } : {}),
    })),
  };
}

// ---- Collecting ----

export interface CollectOptions<G> {
  file: string;
  inputShape: number[];
  entries: string[];
  /** Builds one entry's graph (the interpreter); an exception becomes the model's `error`. */
  build: (entry: string) => Promise<G>;
  /** Predicted metrics of a built graph; absent: not available, for `unavailableReason`. */
  predict?: (graph: G) => Promise<PredictedMetrics>;
  unavailableReason?: string;
  /** Static metrics of a graph (`computeStaticMetrics`). */
  measure: (graph: G) => StaticMetrics;
  diagnosticsOf: (graph: G) => Diagnostic[];
}

/** Builds, measures and predicts every entry, one after another; never throws for one bad model. */
export async function collectReport<G>(o: CollectOptions<G>): Promise<MetricsReport> {
  const models: ModelReport[] = [];
  for (const entry of o.entries) {
    let graph: G;
    try {
      graph = await o.build(entry);
    } catch (e) {
      models.push({ entry, predicted: { available: false, reason: 'the graph could not be built' }, diagnostics: [], error: errorText(e) });
      continue;
    }
    let stat: StaticMetrics | undefined;
    let error: string | undefined;
    try {
      stat = o.measure(graph);
    } catch (e) {
      error = `static metrics failed: ${errorText(e)}`;
    }
    let predicted: PredictedMetrics;
    try {
      if (stat && stat.partial && stat.numOps === 0) predicted = { available: false, reason: 'the graph could not be built' };
      else predicted = o.predict ? await o.predict(graph) : { available: false, reason: o.unavailableReason ?? 'no metric heads' };
    } catch (e) {
      predicted = { available: false, reason: errorText(e) };
    }
    models.push({ entry, static: stat, predicted, diagnostics: o.diagnosticsOf(graph), ...(error ? { error } : {}) });
  }
  return { file: o.file, inputShape: o.inputShape, models };
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

// ---- CodeLens and hover ----

/**
 * The CodeLens title over a model: "11.2M params · 0.56 GMACs", then the predicted accuracy with its
 * held-out τ when a head is available ("· acc ≈ 81.2% (τ 0.61)"); nothing predicted is shown otherwise.
 */
export function codeLensTitle(m: StaticMetrics, p?: PredictedMetrics): string {
  const lp = m.partial ? '≥' : '';
  const lm = m.partial || !m.macsExact ? '≥' : '';
  let title = `${lp}${formatCount(m.totalParams)} params · ${lm}${formatMacs(m.macs)}`;
  const acc = p?.available ? p.metrics.find((x) => x.name === 'accuracy') : undefined;
  if (acc) title += ` · acc ${acc.beyond ? '' : '≈ '}${formatMetricValue(acc)} (τ ${acc.kendallTau.toFixed(2)})`;
  return title;
}

/** A hover (Markdown) for the class/factory name: the static figures and the predicted metrics or why not. */
export function hoverMarkdown(entry: string, m: StaticMetrics, p?: PredictedMetrics): string {
  const lb = (exact: boolean) => (exact && !m.partial ? '' : '≥');
  const L = [
    `**${mdEscape(entry)}** — ${mdEscape(m.modelType)}, input ${formatShape(m.inputShape)}`,
    '',
    `| | |`, `|---|---:|`,
    `| Parameters | ${lb(true)}${m.totalParams.toLocaleString('en-US')} (${formatCount(m.totalParams)}) |`,
    `| Trainable | ${lb(true)}${m.trainableParams.toLocaleString('en-US')} |`,
    `| MACs | ${lb(m.macsExact)}${formatMacs(m.macs)} |`,
    `| Weights | ${formatBytes(m.paramBytes)} |`,
    `| Activations (sum / inference peak) | ${lb(m.activation.exact)}${formatBytes(m.activation.totalBytes)} / ${lb(m.activation.exact)}${formatBytes(m.activation.peakInferenceBytes)} |`,
    `| Depth (param. layers / ops) | ${m.depth.parameterised} / ${m.depth.ops} |`,
    `| Output | ${formatShape(m.outputShape)} |`,
  ];
  if (p?.available) {
    for (const x of p.metrics) L.push(`| ${mdEscape(x.label)} (predicted) | ${mdEscape(predictedText(x))} |`);
    L.push('', ...p.metrics.map((x) => `*${mdEscape(x.label)}: ${mdEscape(x.description)}*`));
    for (const o of p.omitted ?? []) L.push('', `*Not shown: ${mdEscape(o.reason)}.*`);
  } else if (p) {
    L.push('', `Predicted metrics: not available (${mdEscape(p.reason)}).`);
  }
  if (m.partial) L.push('', '*The graph is incomplete: figures marked ≥ are lower bounds.*');
  return L.join('\n');
}
