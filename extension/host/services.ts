/**
 * What the host glue needs from the pipeline, as one interface so commands, CodeLens and the panel
 * share one cache and one worker. Implemented in `pipelineService.ts`.
 */
import type * as vscode from 'vscode';
import type { ArchGraphJson, ModelEntry } from '../pipeline/arch/types';

export interface GraphService {
  /** Model classes and factory functions in a document (for the CodeLens and the panel). */
  findEntries(doc: vscode.TextDocument): Promise<ModelEntry[]>;
  /** The architecture graph of one entry (by `ModelEntry.expr` or a call expression), cached per document version. */
  buildGraph(doc: vscode.TextDocument, entryExpr: string, inputShape?: number[]): Promise<ArchGraphJson>;
}
