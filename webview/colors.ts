/** Op-category colours (Netron-like families) and the theme colours read from VS Code's CSS variables. */
import type { OpCategory } from '../extension/protocol/panel';

export const CATEGORY_COLORS: Record<OpCategory | 'group', string> = {
  input: '#5b5b5b',
  output: '#5b5b5b',
  conv: '#3569b0',
  linear: '#24799b',
  norm: '#2f8656',
  activation: '#a8452b',
  pool: '#4f7d2a',
  dropout: '#6e6e6e',
  recurrent: '#7a4ea3',
  attention: '#9c3f86',
  embedding: '#8a6a22',
  upsample: '#23867f',
  elementwise: '#5c5c8c',
  reduce: '#7c5c3c',
  shape: '#6a6f78',
  tensor: '#55606e',
  container: '#4c5560',
  unknown: '#8a8a8a',
  group: '#3d4652',
};

export const CATEGORY_LABELS: [OpCategory | 'group', string][] = [
  ['conv', 'Convolution'], ['linear', 'Linear'], ['norm', 'Normalization'], ['activation', 'Activation'],
  ['pool', 'Pooling'], ['dropout', 'Dropout'], ['recurrent', 'Recurrent'], ['attention', 'Attention'],
  ['embedding', 'Embedding'], ['upsample', 'Upsample'], ['elementwise', 'Elementwise'], ['reduce', 'Reduce'],
  ['shape', 'Shape'], ['tensor', 'Tensor'], ['container', 'Module'], ['unknown', 'Unknown'],
  ['input', 'Input / output'], ['group', 'Collapsed module'],
];

export interface ThemeColors {
  background: string;
  foreground: string;
  edge: string;
  edgeLabel: string;
  selection: string;
  highlight: string;
  searchMatch: string;
  moduleBox: string;
  moduleBoxBorder: string;
  nodeBorder: string;
  highContrast: boolean;
  /** Font family for canvas text (canvas cannot resolve CSS variables). */
  font: string;
}

function cssVar(style: CSSStyleDeclaration, name: string, fallback: string): string {
  const v = style.getPropertyValue(name).trim();
  return v || fallback;
}

export function readThemeColors(): ThemeColors {
  const s = getComputedStyle(document.body);
  const kind = document.body.dataset.vscodeThemeKind ?? (document.body.classList.contains('vscode-light') ? 'vscode-light' : 'vscode-dark');
  const light = kind === 'vscode-light' || kind === 'vscode-high-contrast-light';
  const hc = kind.includes('high-contrast');
  return {
    background: cssVar(s, '--vscode-editor-background', light ? '#ffffff' : '#1e1e1e'),
    foreground: cssVar(s, '--vscode-editor-foreground', light ? '#1f1f1f' : '#cccccc'),
    edge: hc ? cssVar(s, '--vscode-contrastBorder', light ? '#000' : '#fff') : light ? '#8a8a8a' : '#7a7a7a',
    edgeLabel: cssVar(s, '--vscode-descriptionForeground', light ? '#616161' : '#9d9d9d'),
    selection: cssVar(s, '--vscode-focusBorder', '#007fd4'),
    highlight: cssVar(s, '--vscode-editorWarning-foreground', '#cca700'),
    searchMatch: cssVar(s, '--vscode-editor-findMatchBorder', cssVar(s, '--vscode-editor-findMatchHighlightBackground', '#ea5c00')),
    moduleBox: light ? 'rgba(0,0,0,0.035)' : 'rgba(255,255,255,0.04)',
    moduleBoxBorder: hc ? cssVar(s, '--vscode-contrastBorder', '#6fc3df') : light ? 'rgba(0,0,0,0.18)' : 'rgba(255,255,255,0.16)',
    nodeBorder: hc ? cssVar(s, '--vscode-contrastBorder', '#6fc3df') : light ? 'rgba(0,0,0,0.25)' : 'rgba(0,0,0,0.45)',
    highContrast: hc,
    font: cssVar(s, '--vscode-font-family', '') || s.fontFamily || 'sans-serif',
  };
}
