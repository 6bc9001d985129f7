/**
 * Quality metrics for the host: exact static figures from the graph (here, cheap), predicted metrics and
 * whole-file reports from the GHN worker (off the extension host's thread). Predicted metrics need trained
 * metric heads (`media/ghn/metric-heads.json`) and the GHN they were trained on; without them the
 * report says why, and the CodeLens shows static figures only.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ArchGraphJson } from '../pipeline/arch/types';
import { METRIC_HEADS_FILE, type PredictedMetrics } from '../pipeline/metrics/predicted';
import type { MetricsReport } from '../pipeline/metrics/report';
import { computeStaticMetrics, type StaticMetrics } from '../pipeline/metrics/static';
import { checkpointPath } from './checkpoint';
import { readConfig } from './config';
import type { GhnWorkerClient } from './ghnWorkerClient';
import { fileName, searchPaths } from './pipelineService';
import type { GraphService } from './services';

export class MetricsService {
  private readonly predictedCache = new Map<string, Promise<PredictedMetrics>>();

  constructor(private readonly graphs: GraphService, private readonly ghn: GhnWorkerClient, private readonly extensionPath: string) {}

  get headsFile(): string {
    return path.join(this.extensionPath, METRIC_HEADS_FILE);
  }

  hasHeads(): boolean {
    return fs.existsSync(this.headsFile);
  }

  staticOf(g: ArchGraphJson): StaticMetrics {
    return computeStaticMetrics(g);
  }

  private request(doc: vscode.TextDocument, entries: string[], token?: vscode.CancellationToken): Promise<MetricsReport> {
    const cfg = readConfig(doc.uri);
    const wf = vscode.workspace.getWorkspaceFolder(doc.uri)?.uri.fsPath;
    return this.ghn.metrics({
      checkpoint: checkpointPath(this.extensionPath, cfg.ghnCheckpoint, wf),
      headsFile: this.headsFile,
      source: doc.getText(), file: fileName(doc), entries,
      inputShape: cfg.defaultInputShape, pythonPaths: searchPaths(doc, cfg.pythonPaths),
    }, token);
  }

  /** Predicted metrics of one entry, or undefined when no heads are bundled (cached per document version). */
  predicted(doc: vscode.TextDocument, entry: string): Promise<PredictedMetrics> | undefined {
    if (!this.hasHeads()) return undefined;
    const key = `${doc.uri.toString()}@${doc.version}:${entry}`;
    let p = this.predictedCache.get(key);
    if (!p) {
      p = this.request(doc, [entry]).then((r) => r.models[0]?.predicted ?? { available: false, reason: 'no report' });
      if (this.predictedCache.size > 200) this.predictedCache.clear();
      this.predictedCache.set(key, p);
    }
    return p;
  }

  /** The side-by-side report of every model in the file. */
  async report(doc: vscode.TextDocument, token?: vscode.CancellationToken): Promise<MetricsReport> {
    const entries = (await this.graphs.findEntries(doc)).map((e) => e.expr);
    return this.request(doc, entries, token);
  }
}
