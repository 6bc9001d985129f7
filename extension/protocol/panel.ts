/**
 * The one message protocol between the extension host and the Architecture panel (GitLens style):
 * notifications host → webview, commands webview → host. Both sides import this file and nothing else
 * from each other. Owned by the panel work; extend here, never inline a message shape elsewhere.
 *
 * The webview is a pure renderer: it receives a whole `ArchGraphJson` and keeps its own view state
 * (viewport, collapsed modules, layout direction) with `setState`. The host decides which model is shown.
 */
import type { ArchGraphJson, SourceLocation } from '../pipeline/arch/types';

/** The graph model types the webview reads (re-exported: the webview imports only extension/protocol). */
export type {
  ArchGraphJson, OpNode, OpCategory, TensorShape, TensorEdge, ParamTensor, ModuleInfo, Diagnostic, SourceLocation,
} from '../pipeline/arch/types';

/** A model the user can pick in the panel's model selector (a `ModelEntry` reduced to what the panel shows). */
export interface PanelEntry {
  name: string;
  /** `ModelEntry.expr`: the key the host builds the graph from. */
  expr: string;
}

/** Statistics of one predicted tensor, for the inspector. */
export interface ParamStats {
  mean: number;
  std: number;
  min: number;
  max: number;
  /** Histogram counts over [min, max] in equal bins. */
  histogram: number[];
}

export type ExportFormat = 'svg' | 'png' | 'json' | 'dot' | 'graphml';

/** Host → webview notifications. */
export type HostMessage =
  /**
   * A graph to show. `keepViewport` is true when it replaces the same entry of the same document
   * (an edit): the webview then keeps zoom, pan and collapsed modules.
   */
  | { type: 'graph'; graph: ArchGraphJson; document: string; keepViewport: boolean; entries?: PanelEntry[]; entry?: string }
  /** A graph is being built (shown as a progress bar over whatever is displayed). */
  | { type: 'loading'; document: string; entry?: string }
  /** Nothing to show: no Python editor, or no PyTorch model in it. */
  | { type: 'empty'; reason: string }
  /** The graph could not be built at all; diagnostics carry locations the user can jump to. */
  | { type: 'error'; message: string; diagnostics: ArchGraphJson['diagnostics'] }
  /** Nodes made by the line under the editor cursor (may be empty to clear). `reveal`: scroll them into view. */
  | { type: 'highlight'; nodeIds: string[]; reveal?: boolean }
  /** Predicted-parameter statistics, keyed by `state_dict` name (`ParamTensor.name`). */
  | { type: 'paramStats'; stats: Record<string, ParamStats> }
  /** Ask the webview to produce an image of the view; it answers with an `export` command carrying `data`. */
  | { type: 'requestExport'; format: 'svg' | 'png' };

/** Webview → host commands. */
export type WebviewMessage =
  /** The webview booted and listens; the host (re)sends the current state. */
  | { type: 'ready' }
  /** Open the document at `loc` and select it. */
  | { type: 'reveal'; loc: SourceLocation }
  /**
   * Export. For `svg` the webview sends the SVG text in `data`; for `png` a `data:image/png;base64,` URL.
   * For `json`, `dot` and `graphml` `data` is absent: the host serialises its own graph.
   */
  | { type: 'export'; format: ExportFormat; data?: string }
  /** The user picked another model in the panel's selector. */
  | { type: 'selectEntry'; expr: string }
  /** Open the same view as an editor tab. */
  | { type: 'openInEditor' }
  /** A problem inside the webview the host should log (the webview has no other console the user sees). */
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string };

const WEBVIEW_TYPES = new Set<WebviewMessage['type']>(['ready', 'reveal', 'export', 'selectEntry', 'openInEditor', 'log']);
const HOST_TYPES = new Set<HostMessage['type']>(['graph', 'loading', 'empty', 'error', 'highlight', 'paramStats', 'requestExport']);
const EXPORT_FORMATS = new Set<ExportFormat>(['svg', 'png', 'json', 'dot', 'graphml']);

function isLoc(v: unknown): v is SourceLocation {
  if (typeof v !== 'object' || v === null) return false;
  const l = v as Record<string, unknown>;
  return typeof l.file === 'string' && typeof l.line === 'number' && typeof l.column === 'number';
}

/** Type guard on receipt in the host: the webview is untrusted input. */
export function isWebviewMessage(m: unknown): m is WebviewMessage {
  if (typeof m !== 'object' || m === null) return false;
  const msg = m as Record<string, unknown>;
  if (typeof msg.type !== 'string' || !WEBVIEW_TYPES.has(msg.type as WebviewMessage['type'])) return false;
  switch (msg.type) {
    case 'reveal': return isLoc(msg.loc);
    case 'export': return EXPORT_FORMATS.has(msg.format as ExportFormat) && (msg.data === undefined || typeof msg.data === 'string');
    case 'selectEntry': return typeof msg.expr === 'string';
    case 'log': return typeof msg.message === 'string';
    default: return true;
  }
}

/** Type guard on receipt in the webview. */
export function isHostMessage(m: unknown): m is HostMessage {
  if (typeof m !== 'object' || m === null) return false;
  const t = (m as { type?: unknown }).type;
  return typeof t === 'string' && HOST_TYPES.has(t as HostMessage['type']);
}
