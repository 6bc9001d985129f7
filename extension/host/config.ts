/** Typed view of the `ghnLens.*` settings (rust-analyzer style: one wrapper, parsed on each read). */
import * as vscode from 'vscode';
import { type GhnLensConfig, parseConfig } from './settings';

export { DEFAULT_INPUT_SHAPE, type GhnLensConfig, parseConfig, parseInputShape } from './settings';

export function readConfig(scope?: vscode.ConfigurationScope): GhnLensConfig {
  const c = vscode.workspace.getConfiguration('ghnLens', scope);
  return parseConfig((k) => c.get(k));
}

export function affectsConfig(e: vscode.ConfigurationChangeEvent): boolean {
  return e.affectsConfiguration('ghnLens');
}
