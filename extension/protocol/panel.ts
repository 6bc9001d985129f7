/**
 * The one message protocol between the extension host and the Architecture panel (GitLens style):
 * notifications host → webview, commands webview → host. Both sides import this file and nothing else
 * from each other. Owned by the panel work; extend here, never inline a message shape elsewhere.
 */
import type { ArchGraphJson, SourceLocation } from '../pipeline/arch/types';

/** Host → webview. */
export type HostMessage =
  | { type: 'graph'; graph: ArchGraphJson; document: string; keepViewport: boolean }
  | { type: 'empty'; reason: string }
  | { type: 'error'; message: string; diagnostics: ArchGraphJson['diagnostics'] }
  | { type: 'highlight'; nodeIds: string[] }
  | { type: 'paramStats'; stats: Record<string, ParamStats> };

/** Webview → host. */
export type WebviewMessage =
  | { type: 'ready' }
  | { type: 'reveal'; loc: SourceLocation }
  | { type: 'export'; format: 'svg' | 'png' | 'json' | 'dot' | 'graphml'; data?: string };

/** Statistics of one predicted tensor, for the inspector. */
export interface ParamStats {
  mean: number;
  std: number;
  min: number;
  max: number;
  /** Histogram counts over [min, max] in equal bins. */
  histogram: number[];
}

export function isWebviewMessage(m: unknown): m is WebviewMessage {
  return typeof m === 'object' && m !== null && typeof (m as { type?: unknown }).type === 'string';
}
