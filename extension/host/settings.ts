/**
 * The `ghnLens.*` settings, parsed into one typed object (pure: no vscode import, unit-tested).
 * `config.ts` reads them from VS Code.
 */
export interface GhnLensConfig {
  codeLensEnabled: boolean;
  /** Batch-first input shape, e.g. [1, 3, 32, 32]. */
  defaultInputShape: number[];
  /** Checkpoint path; '' means the bundled one. */
  ghnCheckpoint: string;
  pythonPaths: string[];
}

export const DEFAULT_INPUT_SHAPE = [1, 3, 32, 32];

/** Accepts `[1,3,32,32]` or the string "1,3,32,32" / "1x3x32x32"; anything else falls back to the default. */
export function parseInputShape(value: unknown): number[] {
  let parts: unknown[] | undefined;
  if (Array.isArray(value)) parts = value;
  else if (typeof value === 'string') parts = value.replace(/[[\]()\s]/g, '').split(/[,x×]/).filter((s) => s !== '').map(Number);
  if (!parts || parts.length === 0) return [...DEFAULT_INPUT_SHAPE];
  const dims = parts.map((d) => (typeof d === 'number' ? d : Number(d)));
  if (dims.some((d) => !Number.isInteger(d) || d < 1)) return [...DEFAULT_INPUT_SHAPE];
  return dims;
}

export function parseConfig(get: (key: string) => unknown): GhnLensConfig {
  const paths = get('pythonPaths');
  const ckpt = get('ghnCheckpoint');
  return {
    codeLensEnabled: get('codeLens.enabled') !== false,
    defaultInputShape: parseInputShape(get('defaultInputShape')),
    ghnCheckpoint: typeof ckpt === 'string' ? ckpt.trim() : '',
    pythonPaths: Array.isArray(paths) ? paths.filter((p): p is string => typeof p === 'string' && p.trim() !== '') : [],
  };
}
