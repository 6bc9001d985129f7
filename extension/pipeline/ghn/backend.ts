/**
 * tfjs with the wasm backend, initialised once. In Node the `.wasm` files are found in the package's
 * `dist/`; a bundled extension copies them next to its bundle and calls `setGhnWasmDir(dir)` first.
 */
import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

let wasmDir: string | undefined;
let ready: Promise<typeof tf> | undefined;

/** Where the tfjs-backend-wasm `.wasm` files are (a directory). Call before the first prediction. */
export function setGhnWasmDir(dir: string): void {
  if (ready) return; // already initialised: the backend cannot move
  wasmDir = dir;
}

function defaultWasmDir(): string {
  const candidates: string[] = [];
  try {
    candidates.push(join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist'));
  } catch {
    // bundled: no node_modules
  }
  if (typeof __dirname === 'string') candidates.push(__dirname, join(__dirname, 'wasm'));
  for (const c of candidates) if (existsSync(join(c, 'tfjs-backend-wasm-simd.wasm'))) return c;
  throw new Error(`GHN: cannot find tfjs-backend-wasm's .wasm files (looked in ${candidates.join(', ')}); call setGhnWasmDir(dir)`);
}

/** The tfjs namespace with the wasm backend active. */
export function tfReady(): Promise<typeof tf> {
  if (!ready) {
    ready = (async () => {
      const dir = wasmDir ?? defaultWasmDir();
      setWasmPaths(dir.endsWith('/') ? dir : `${dir}/`);
      // Emscripten's Node glue installs process-wide uncaughtException/unhandledRejection handlers that
      // rethrow (turning any stray rejection of the host into a crash); remove the ones it added.
      type Listener = (...a: unknown[]) => void;
      const proc = process as unknown as { listeners(e: string): Listener[]; removeListener(e: string, l: Listener): void };
      const events = ['uncaughtException', 'unhandledRejection'];
      const before = events.map((e) => proc.listeners(e));
      try {
        const ok = await tf.setBackend('wasm');
        if (!ok) throw new Error(`GHN: the tfjs wasm backend failed to initialise from ${dir}`);
        await tf.ready();
      } finally {
        events.forEach((e, i) => {
          for (const l of proc.listeners(e)) if (!before[i].includes(l)) proc.removeListener(e, l);
        });
      }
      return tf;
    })();
    ready.catch(() => { ready = undefined; });
  }
  return ready;
}
