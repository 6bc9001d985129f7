// "GHN Lens: Show Quality Metrics" opens a report that lists every model of the file side by side,
// and hovering a model's name shows its figures.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame } from 'playwright-core';
import type { E2EContext } from '../context';
import { assert, exampleModel, goToLine } from '../util';

async function frameWithText(ctx: E2EContext, text: string, timeout: number): Promise<Frame> {
  const deadline = Date.now() + timeout;
  for (;;) {
    for (const f of ctx.page.frames()) {
      if (f === ctx.page.mainFrame()) continue;
      const body = await f.locator('body').innerText({ timeout: 500 }).catch(() => '');
      if (body.includes(text)) return f;
    }
    if (Date.now() > deadline) throw new Error(`no webview shows "${text}" after ${timeout / 1000} s`);
    await ctx.page.waitForTimeout(500);
  }
}

export async function run(ctx: E2EContext): Promise<void> {
  const ex = exampleModel(ctx.workspace);
  await ctx.openFile(ex.file);
  await goToLine(ctx, ex.line + 1);
  await ctx.runCommand('GHN Lens: Show Quality Metrics');
  const frame = await frameWithText(ctx, 'quality metrics of', 90_000);
  const text = await frame.locator('body').innerText();
  ctx.log(`report: ${JSON.stringify(text.slice(0, 300))}`);
  assert(/Parameters/i.test(text), 'the report has parameter counts');
  const entries = [...readFileSync(join(ctx.workspace, ex.file), 'utf8').matchAll(/^def (\w+)\(\):/gm)].map((m) => m[1]).filter((n) => /^[A-Z]/.test(n));
  for (const e of entries) assert(text.includes(`${e}()`), `the report lists ${e}()`);
  ctx.log(`the report lists ${entries.map((e) => `${e}()`).join(', ')}`);
  await ctx.screenshot('quality-report');
  // Hover on the model's name (the line of its def/class).
  await ctx.runCommand('View: Close All Editors');
  await ctx.openFile(ex.file);
  await goToLine(ctx, ex.line);
  const name = ctx.page.locator('.monaco-editor .view-line span', { hasText: new RegExp(`^${ex.name}$`) }).first();
  await name.hover();
  const hover = ctx.page.locator('.monaco-hover-content', { hasText: 'Parameters' }).first();
  await hover.waitFor({ timeout: 30_000 });
  ctx.log(`hover: ${JSON.stringify((await hover.innerText()).slice(0, 200))}`);
  await ctx.screenshot('hover');
}
