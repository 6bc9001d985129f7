/** The webview side of the host link: `acquireVsCodeApi` (or the harness's fake) and typed posting. */
import type { WebviewMessage } from '../extension/protocol/panel';

export interface PersistedState {
  key: string;
  scale: number;
  tx: number;
  ty: number;
  collapsed: string[];
  direction: 'TB' | 'LR';
}

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

const api: VsCodeApi = typeof acquireVsCodeApi === 'function'
  ? acquireVsCodeApi()
  : { postMessage: () => undefined, getState: () => undefined, setState: () => undefined };

export function post(message: WebviewMessage): void {
  api.postMessage(message);
}

export function loadState(): PersistedState | null {
  const s = api.getState() as PersistedState | undefined;
  return s && typeof s.key === 'string' ? s : null;
}

export function saveState(state: PersistedState): void {
  api.setState(state);
}
