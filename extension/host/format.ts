/** Names and snippets for predicted-weight files (pure; unit-tested). Figures are formatted by pipeline/metrics. */

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
