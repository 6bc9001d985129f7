/** Human figures for CodeLens titles and messages (pure; unit-tested). */

/** 11_173_962 → "11.2M", 4_800 → "4.8K", 950 → "950". */
export function compact(n: number): string {
  const a = Math.abs(n);
  if (a >= 1e9) return `${trim(n / 1e9)}B`;
  if (a >= 1e6) return `${trim(n / 1e6)}M`;
  if (a >= 1e3) return `${trim(n / 1e3)}K`;
  return String(Math.round(n));
}

function trim(x: number): string {
  const s = Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(2);
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

/** MACs as GMACs/MMACs: 556_651_530 → "0.56 GMACs", 1.2e6 → "1.2 MMACs". */
export function macs(n: number): string {
  if (n >= 1e8) return `${trim(n / 1e9)} GMACs`;
  if (n >= 1e5) return `${trim(n / 1e6)} MMACs`;
  if (n >= 1e2) return `${trim(n / 1e3)} KMACs`;
  return `${Math.round(n)} MACs`;
}

export interface StaticFigures {
  totalParams: number;
  macs: number;
  partial: boolean;
  /** False when some MACs could not be computed (unknown shapes). */
  macsExact?: boolean;
}

/** "11.2M params · 0.56 GMACs", with a "≥" when the graph or the MACs are incomplete. */
export function figuresTitle(f: StaticFigures): string {
  const lower = f.partial ? '≥' : '';
  const macLower = f.partial || f.macsExact === false ? '≥' : '';
  return `${lower}${compact(f.totalParams)} params · ${macLower}${macs(f.macs)}`;
}

/** `resnet.py` + `ResNet()` → `resnet.ResNet.safetensors` (an expression is reduced to a safe name). */
export function safetensorsName(sourceBase: string, entryExpr: string): string {
  const stem = sourceBase.replace(/\.py$/, '');
  const entry = entryExpr.replace(/\(\)$/, '').replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^_+|_+$/g, '') || 'model';
  return `${stem}.${entry}.safetensors`;
}

/** The two lines of Python that load predicted weights into the model. */
export function pythonSnippet(moduleName: string, entryExpr: string, fileName: string): string {
  return `from safetensors.torch import load_file\nfrom ${moduleName} import *; model = ${entryExpr}; model.load_state_dict(load_file(${JSON.stringify(fileName)}), strict=False)`;
}
