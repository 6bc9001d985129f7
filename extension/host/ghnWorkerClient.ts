/**
 * Owns the GHN worker thread: spawned on first use, kept warm (the GHN stays loaded), restarted after
 * a cancellation that the worker did not honour in time. Progress goes through `window.withProgress`.
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import * as vscode from 'vscode';
import type { MetricsReport } from '../pipeline/metrics/report';
import type { FromWorker, MetricsRequest, PredictRequest, PredictResult } from './ghnProtocol';

const CANCEL_GRACE_MS = 2000;

export class GhnWorkerClient implements vscode.Disposable {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(r: unknown): void; reject(e: Error): void; progress(f: number, m: string): void }>();

  constructor(private readonly distDir: string, private readonly log: vscode.LogOutputChannel) {}

  dispose(): void {
    void this.worker?.terminate();
    this.worker = undefined;
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(path.join(this.distDir, 'ghnWorker.js'));
    this.log.info('GHN worker started');
    w.on('message', (m: FromWorker) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      if (m.type === 'progress') p.progress(m.fraction, m.message);
      else {
        this.pending.delete(m.id);
        if (m.type === 'done') p.resolve(m.result);
        else if (m.type === 'metrics') p.resolve(m.report);
        else p.reject(m.cancelled ? new vscode.CancellationError() : new Error(m.message));
      }
    });
    w.on('error', (e) => this.log.error(`GHN worker: ${e.message}`));
    w.on('exit', (code) => {
      if (this.worker === w) this.worker = undefined;
      for (const [id, p] of this.pending) { p.reject(new Error(`the GHN worker stopped (exit ${code})`)); this.pending.delete(id); }
    });
    this.worker = w;
    return w;
  }

  /** The metrics report of some entries (static figures, and predicted metrics when trained heads exist). */
  metrics(req: Omit<MetricsRequest, 'type' | 'id' | 'wasmDir'>, token?: vscode.CancellationToken): Promise<MetricsReport> {
    const w = this.ensureWorker();
    const id = this.nextId++;
    return new Promise<MetricsReport>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (r: unknown) => void, reject, progress: () => undefined });
      token?.onCancellationRequested(() => w.postMessage({ type: 'cancel', id }));
      w.postMessage({ ...req, type: 'metrics', id, wasmDir: this.distDir } satisfies MetricsRequest);
    });
  }

  /** Runs one prediction with a cancellable progress notification. */
  predict(req: Omit<PredictRequest, 'type' | 'id' | 'wasmDir'>, title: string): Promise<PredictResult> {
    return Promise.resolve(vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) => {
      const w = this.ensureWorker();
      const id = this.nextId++;
      let last = 0;
      return new Promise<PredictResult>((resolve, reject) => {
        this.pending.set(id, {
          resolve: resolve as (r: unknown) => void, reject,
          progress: (f, message) => {
            const pct = Math.max(0, Math.min(100, Math.round(f * 100)));
            progress.report({ message, increment: Math.max(0, pct - last) });
            last = Math.max(last, pct);
          },
        });
        token.onCancellationRequested(() => {
          w.postMessage({ type: 'cancel', id });
          setTimeout(() => {
            if (this.pending.has(id)) {
              this.log.warn('GHN worker did not stop in time: terminating it');
              this.pending.get(id)?.reject(new vscode.CancellationError());
              this.pending.delete(id);
              void w.terminate();
            }
          }, CANCEL_GRACE_MS);
        });
        w.postMessage({ ...req, type: 'predict', id, wasmDir: this.distDir } satisfies PredictRequest);
      });
    }));
  }
}
