/**
 * Seeded mutations of Python source for the fuzz test: the kinds of damage a file has while someone is
 * typing it, or after a bad merge. Deterministic: the same seed gives the same mutant.
 */

/** mulberry32: a small, fast, seeded PRNG. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const GARBAGE = ['(', ')', '[', ']', '{', '}', ':', ',', '.', '=', '*', '**', '\\', '"', "'", '"""', '#', '@', 'lambda', 'yield',
  'await', 'def', 'class', 'return', 'import', 'self', 'None', '...', ' if ', ' else ', '\t', '\n', '\n    ', '\r\n', '\u00e9',
  '\u{1F600}', '\u0000', '0x', '1e309', '-', '+=', 'nn.', 'super().__init__()', 'while True:', 'for i in range(10**9):'];
const NUMBERS = ['0', '1', '-1', '2', '3', '7', '1000000', '10**12', '0.5', '-3', '2**31', '1e9', '4096', 'None', "'8'"];

export interface Mutant { source: string; ops: string[] }

export function mutate(source: string, seed: number): Mutant {
  const rnd = prng(seed);
  const int = (n: number) => Math.floor(rnd() * n);
  const pick = <T>(xs: T[]): T => xs[int(xs.length)];
  let s = source;
  const ops: string[] = [];
  const count = 1 + int(3);
  for (let k = 0; k < count; k++) {
    const lines = s.split('\n');
    const tokens = [...s.matchAll(/[A-Za-z_]\w*|\d+(?:\.\d+)?|[^\s\w]/g)];
    const kind = int(10);
    switch (kind) {
      case 0: { // delete a line
        const i = int(lines.length);
        lines.splice(i, 1);
        s = lines.join('\n');
        ops.push(`delete line ${i + 1}`);
        break;
      }
      case 1: { // truncate
        const at = int(s.length + 1);
        s = s.slice(0, at);
        ops.push(`truncate at ${at}`);
        break;
      }
      case 2: { // swap two tokens
        if (tokens.length < 2) break;
        const a = pick(tokens);
        const b = pick(tokens);
        const [x, y] = a.index! < b.index! ? [a, b] : [b, a];
        if (x.index === y.index) break;
        s = s.slice(0, x.index) + y[0] + s.slice(x.index! + x[0].length, y.index) + x[0] + s.slice(y.index! + y[0].length);
        ops.push(`swap '${x[0]}'@${x.index} '${y[0]}'@${y.index}`);
        break;
      }
      case 3: { // duplicate a token
        if (!tokens.length) break;
        const t = pick(tokens);
        s = s.slice(0, t.index) + t[0] + ' ' + s.slice(t.index);
        ops.push(`duplicate '${t[0]}'@${t.index}`);
        break;
      }
      case 4: { // change a number
        const nums = tokens.filter((t) => /^\d/.test(t[0]));
        if (!nums.length) break;
        const t = pick(nums);
        const v = pick(NUMBERS);
        s = s.slice(0, t.index) + v + s.slice(t.index! + t[0].length);
        ops.push(`number '${t[0]}'@${t.index} -> ${v}`);
        break;
      }
      case 5: { // insert garbage
        const at = int(s.length + 1);
        const g = pick(GARBAGE);
        s = s.slice(0, at) + g + s.slice(at);
        ops.push(`insert ${JSON.stringify(g)}@${at}`);
        break;
      }
      case 6: { // unbalance brackets: drop one or add one
        const br = tokens.filter((t) => /^[()[\]{}]$/.test(t[0]));
        if (br.length && rnd() < 0.6) {
          const t = pick(br);
          s = s.slice(0, t.index) + s.slice(t.index! + 1);
          ops.push(`drop '${t[0]}'@${t.index}`);
        } else {
          const at = int(s.length + 1);
          const c = pick(['(', ')', '[', ']', '{', '}']);
          s = s.slice(0, at) + c + s.slice(at);
          ops.push(`add '${c}'@${at}`);
        }
        break;
      }
      case 7: { // duplicate a line (a repeated layer, a repeated `forward` line)
        const i = int(lines.length);
        lines.splice(i, 0, lines[i] ?? '');
        s = lines.join('\n');
        ops.push(`duplicate line ${i + 1}`);
        break;
      }
      case 8: { // re-indent a line
        const i = int(lines.length);
        lines[i] = rnd() < 0.5 ? (lines[i] ?? '').replace(/^ {1,4}/, '') : '    ' + (lines[i] ?? '');
        s = lines.join('\n');
        ops.push(`reindent line ${i + 1}`);
        break;
      }
      default: { // swap two lines
        const i = int(lines.length);
        const j = int(lines.length);
        [lines[i], lines[j]] = [lines[j], lines[i]];
        s = lines.join('\n');
        ops.push(`swap lines ${i + 1} ${j + 1}`);
      }
    }
  }
  return { source: s, ops };
}
