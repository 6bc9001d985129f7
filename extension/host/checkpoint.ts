/** Which GHN checkpoint to use. */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The checkpoint the .vsix ships (media/ghn/), trained by training/. */
export const DEFAULT_CHECKPOINT = 'ghn-lens-default.safetensors';

/** The checkpoint to use: the setting (absolute or workspace-relative), else the bundled one. */
export function checkpointPath(extensionPath: string, setting: string, workspaceFolder?: string): string | undefined {
  if (setting) return path.isAbsolute(setting) || !workspaceFolder ? setting : path.join(workspaceFolder, setting);
  const dir = path.join(extensionPath, 'media', 'ghn');
  let files: string[] = [];
  try { files = fs.readdirSync(dir).filter((f) => f.endsWith('.safetensors')).sort(); } catch { /* none bundled */ }
  const preferred = files.find((f) => f === DEFAULT_CHECKPOINT) ?? files.find((f) => !f.includes('seed')) ?? files[0];
  return preferred ? path.join(dir, preferred) : undefined;
}
