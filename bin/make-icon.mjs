// `node bin/make-icon.mjs media/icon.png`: rasterises the extension icon (128×128 PNG, no image library): a small architecture graph inside a lens.
import { deflateSync } from 'node:zlib';
import { writeFileSync } from 'node:fs';
const N = 128, SS = 4;
const img = new Float64Array(N * N * 4);
const nodes = [[64, 30], [38, 62], [90, 62], [64, 94]];
const edges = [[0, 1], [0, 2], [1, 3], [2, 3], [0, 3]];
const colors = [[0x4f, 0xc3, 0xf7], [0xff, 0xb7, 0x4d], [0x81, 0xc7, 0x84], [0xe5, 0x73, 0x73]];
function segDist(px, py, ax, ay, bx, by) {
  const dx = bx - ax, dy = by - ay; const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - ax - t * dx, py - ay - t * dy);
}
function sample(x, y) {
  // background: rounded square
  const r = 22, cx = Math.min(Math.max(x, r), N - r), cy = Math.min(Math.max(y, r), N - r);
  if (Math.hypot(x - cx, y - cy) > r) return [0, 0, 0, 0];
  let c = [0x1e, 0x25, 0x33, 1];
  // lens ring
  const d = Math.hypot(x - 64, y - 62);
  if (Math.abs(d - 46) < 4) c = [0xcf, 0xd8, 0xe3, 1];
  // handle
  if (segDist(x, y, 97, 95, 116, 114) < 6) c = [0xcf, 0xd8, 0xe3, 1];
  for (const [a, b] of edges) if (segDist(x, y, ...nodes[a], ...nodes[b]) < 2.2) c = [0x9a, 0xa7, 0xb8, 1];
  nodes.forEach(([nx, ny], i) => { if (Math.hypot(x - nx, y - ny) < 9) c = [...colors[i], 1]; });
  return c;
}
for (let y = 0; y < N; y++) for (let x = 0; x < N; x++) {
  const acc = [0, 0, 0, 0];
  for (let sy = 0; sy < SS; sy++) for (let sx = 0; sx < SS; sx++) {
    const c = sample(x + (sx + 0.5) / SS, y + (sy + 0.5) / SS);
    acc[0] += c[0] * c[3]; acc[1] += c[1] * c[3]; acc[2] += c[2] * c[3]; acc[3] += c[3];
  }
  const i = (y * N + x) * 4, a = acc[3] / (SS * SS);
  img[i] = acc[3] ? acc[0] / acc[3] : 0; img[i + 1] = acc[3] ? acc[1] / acc[3] : 0; img[i + 2] = acc[3] ? acc[2] / acc[3] : 0; img[i + 3] = a * 255;
}
const raw = Buffer.alloc(N * (N * 4 + 1));
for (let y = 0; y < N; y++) { raw[y * (N * 4 + 1)] = 0; for (let x = 0; x < N * 4; x++) raw[y * (N * 4 + 1) + 1 + x] = Math.round(img[y * N * 4 + x]); }
const crcTable = Array.from({ length: 256 }, (_, n) => { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; return c >>> 0; });
const crc = (b) => { let c = 0xffffffff; for (const x of b) c = crcTable[(c ^ x) & 0xff] ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0; };
const chunk = (type, data) => { const l = Buffer.alloc(4); l.writeUInt32BE(data.length); const td = Buffer.concat([Buffer.from(type), data]); const c = Buffer.alloc(4); c.writeUInt32BE(crc(td)); return Buffer.concat([l, td, c]); };
const ihdr = Buffer.alloc(13); ihdr.writeUInt32BE(N, 0); ihdr.writeUInt32BE(N, 4); ihdr[8] = 8; ihdr[9] = 6;
writeFileSync(process.argv[2], Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]));
