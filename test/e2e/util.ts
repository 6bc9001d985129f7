/** Helpers shared by the scenarios (not a scenario itself). */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { E2EContext } from './context';

/** Every .py file of the workspace, relative paths. */
export function pythonFiles(workspace: string, dir = workspace): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name.startsWith('.') || e.name === '__pycache__') continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...pythonFiles(workspace, p));
    else if (e.name.endsWith('.py')) out.push(relative(workspace, p));
  }
  return out.sort();
}

/**
 * The model the scenarios use: in the CIFAR ResNet example (else the first file with an nn.Module),
 * a factory named after the model class (`ResNet18` for `ResNet`) when there is one, else the last class
 * (blocks come first, the model last). `line` is 0-based, the `class`/`def` line.
 */
export function exampleModel(workspace: string): { file: string; name: string; kind: 'class' | 'factory'; line: number } {
  const files = pythonFiles(workspace);
  const ordered = [...files.filter((f) => /resnet/i.test(f)), ...files.filter((f) => /cifar|mlp|lenet|vgg/i.test(f)), ...files];
  for (const f of ordered) {
    const lines = readFileSync(join(workspace, f), 'utf8').split('\n');
    let i = lines.length - 1;
    while (i >= 0 && !/^class\s+\w+\s*\(\s*(nn\.)?Module\s*\)/.test(lines[i])) i--;
    if (i < 0) continue;
    const cls = /^class\s+(\w+)/.exec(lines[i])![1];
    const j = lines.findIndex((l) => new RegExp(`^def\\s+${cls}\\w*\\s*\\(`, 'i').test(l));
    if (j >= 0) return { file: f, name: /^def\s+(\w+)/.exec(lines[j])![1], kind: 'factory', line: j };
    return { file: f, name: cls, kind: 'class', line: i };
  }
  throw new Error(`no Python file with an nn.Module class in ${workspace} (found: ${files.join(', ') || 'none'})`);
}

/** Texts of every CodeLens in the active editor, top to bottom. */
export async function codeLensTexts(ctx: E2EContext): Promise<string[]> {
  const all = await ctx.page.locator('.monaco-editor .codelens-decoration').allInnerTexts();
  return all.map((t) => t.replace(/\s+/g, ' ').trim());
}

const BLUR = 'document.activeElement && document.activeElement.blur && document.activeElement.blur()';

/** Puts the cursor on a 0-based line of the active editor (Ctrl+G). */
export async function goToLine(ctx: E2EContext, line: number): Promise<void> {
  await ctx.page.evaluate(BLUR);
  await ctx.page.keyboard.press('Control+G');
  const input = ctx.page.locator('.quick-input-widget input');
  await input.waitFor();
  await input.fill(`:${line + 1}`);
  await ctx.page.keyboard.press('Enter');
}

/** Waits for a notification toast whose message matches, returns its text. */
export async function waitForNotification(ctx: E2EContext, text: string | RegExp, timeout = 60_000): Promise<string> {
  const toast = ctx.page.locator('.notifications-toasts .notification-list-item-message', { hasText: text }).first();
  await toast.waitFor({ timeout });
  return (await toast.innerText()).trim();
}

export function assert(cond: unknown, msg: string): asserts cond {
  if (!cond) throw new Error(`assertion failed: ${msg}`);
}
