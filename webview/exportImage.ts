/**
 * Images of the whole visible graph (current collapse state and direction): SVG as text, PNG as a data URL
 * drawn by the same renderer into an offscreen canvas (capped at 8192 px a side).
 */
import type { ThemeColors } from './colors';
import { drawScene, type DrawState } from './render';
import type { Scene } from './scene';

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function textColorFor(hex: string): string {
  const v = parseInt(hex.slice(1), 16);
  return 0.299 * ((v >> 16) & 255) + 0.587 * ((v >> 8) & 255) + 0.114 * (v & 255) > 150 ? '#111' : '#fff';
}

const r1 = (x: number): string => (Math.round(x * 10) / 10).toString();

export function sceneToSvg(scene: Scene, theme: ThemeColors): string {
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${r1(scene.width)}" height="${r1(scene.height)}" viewBox="0 0 ${r1(scene.width)} ${r1(scene.height)}" font-family="${esc(theme.font)}">`);
  out.push(`<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="${theme.edge}"/></marker></defs>`);
  out.push(`<rect width="100%" height="100%" fill="${theme.background}"/>`);
  for (const b of scene.boxes) {
    out.push(`<g><rect x="${r1(b.x0)}" y="${r1(b.y0)}" width="${r1(b.x1 - b.x0)}" height="${r1(b.y1 - b.y0)}" rx="8" fill="${theme.moduleBox}" stroke="${theme.moduleBoxBorder}"/>`
      + `<text x="${r1(b.x0 + 6)}" y="${r1(b.y0 + 13)}" font-size="11" fill="${theme.edgeLabel}">${esc(b.path)}${b.type ? ` (${esc(b.type)})` : ''}</text></g>`);
  }
  out.push(`<g fill="none" stroke="${theme.edge}" stroke-width="1.2" marker-end="url(#arrow)">`);
  scene.routes.forEach((r, i) => {
    const p = r.points;
    if (p.length < 4) return;
    let d = `M${r1(p[0])},${r1(p[1])}`;
    if (r.curve && p.length === 8) d += `C${r1(p[2])},${r1(p[3])} ${r1(p[4])},${r1(p[5])} ${r1(p[6])},${r1(p[7])}`;
    else for (let j = 2; j < p.length; j += 2) d += `L${r1(p[j])},${r1(p[j + 1])}`;
    out.push(`<path d="${d}"><title>${esc(scene.edgeLabel(i))}</title></path>`);
  });
  out.push('</g>');
  for (let i = 0; i < scene.n; i++) {
    const l = scene.labels[i];
    const x = scene.xs[i], y = scene.ys[i], w = scene.ws[i], h = scene.hs[i];
    const lines = [l.title, l.subtitle, l.detail].filter(Boolean);
    const top = y - ((lines.length - 1) * 14) / 2;
    const tc = textColorFor(l.color);
    out.push(`<g><rect x="${r1(x - w / 2)}" y="${r1(y - h / 2)}" width="${r1(w)}" height="${r1(h)}" rx="5" fill="${l.color}" stroke="${theme.nodeBorder}"/>`
      + lines.map((t, k) => `<text x="${r1(x)}" y="${r1(top + k * 14 + 4)}" text-anchor="middle" font-size="${k === 0 ? 12 : 11}"${k === 0 ? ' font-weight="600"' : ''} fill="${tc}">${esc(t)}</text>`).join('')
      + '</g>');
  }
  out.push('</svg>');
  return out.join('\n');
}

export function sceneToPng(scene: Scene, theme: ThemeColors, state: DrawState): string {
  const maxSide = 8192;
  const scale = Math.min(2, maxSide / Math.max(scene.width, 1), maxSide / Math.max(scene.height, 1), Math.sqrt(64e6 / Math.max(1, scene.width * scene.height)));
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(scene.width * scale));
  canvas.height = Math.max(1, Math.round(scene.height * scale));
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('exportImage: no 2D context for the PNG');
  drawScene(ctx, scene, { scale: 1, tx: 0, ty: 0 }, scene.width, scene.height, theme, state, scale);
  return canvas.toDataURL('image/png');
}
