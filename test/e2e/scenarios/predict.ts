// "GHN Lens: Predict Parameters" from the palette with the cursor in a model class: a progress
// notification, then a message naming the safetensors file, written next to the source.
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { E2EContext } from '../context';
import { assert, exampleModel, goToLine, waitForNotification } from '../util';

export const modes = ['trusted'];

export async function run(ctx: E2EContext): Promise<void> {
  const ex = exampleModel(ctx.workspace);
  await ctx.openFile(ex.file);
  await goToLine(ctx, ex.line + 1);
  await ctx.runCommand('GHN Lens: Predict Parameters');
  await waitForNotification(ctx, /predicting the parameters/, 30_000);
  await ctx.screenshot('progress');
  const done = await waitForNotification(ctx, /GHN Lens: (?!predicting)/, 150_000);
  ctx.log(`notification: ${done}`);
  await ctx.page.waitForTimeout(800); // the toast's fade-in
  await ctx.screenshot('predicted');
  assert(/predicted \d+ of \d+ parameter tensors/.test(done), `prediction finished: "${done}"`);
  const out = join(ctx.workspace, dirname(ex.file), `${ex.file.replace(/^.*\//, '').replace(/\.py$/, '')}.${ex.name}.safetensors`);
  assert(existsSync(out), `${out} was written`);
  ctx.log(`${out}: ${statSync(out).size} bytes`);
}
