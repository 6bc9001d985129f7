// Open an example model file: over each model class and factory the CodeLens shows "Show architecture",
// "Predict parameters", the static figures (params, MACs) computed from the source, and the accuracy
// predicted by the bundled metric heads (media/ghn/metric-heads.json) with their held-out Kendall τ.
import type { E2EContext } from '../context';
import { assert, codeLensTexts, exampleModel, goToLine } from '../util';

export async function run(ctx: E2EContext): Promise<void> {
  const ex = exampleModel(ctx.workspace);
  ctx.log(`model file ${ex.file}, ${ex.kind} ${ex.name} at line ${ex.line + 1}`);
  await ctx.openFile(ex.file);
  await ctx.screenshot('file-open');
  await ctx.waitForCodeLens('Show architecture');
  await ctx.waitForCodeLens('Predict parameters');
  // Figures are resolved lazily for the lenses in view (the graph is built): go to the model, wait for a non-zero count.
  await goToLine(ctx, ex.line + 8);
  const figures = await ctx.waitForCodeLens(/[1-9][\d.]*[KMB]? params · /);
  const text = (await figures.innerText()).replace(/\s+/g, ' ').trim();
  ctx.log(`a figures lens: "${text}"`);
  assert(/[1-9][\d.]*[KMB]? params · [\d.]+ [GMK]?MACs/.test(text), `figures lens "${text}" shows params and MACs`);
  // The predicted accuracy comes with the figures once the GHN has embedded the graph (in the worker).
  const predicted = await ctx.waitForCodeLens(/acc (≈ |[<>])[\d.]+%/);
  const ptext = (await predicted.innerText()).replace(/\s+/g, ' ').trim();
  ctx.log(`a lens with the predicted accuracy: "${ptext}"`);
  assert(/[1-9][\d.]*[KMB]? params · [\d.]+ [GMK]?MACs · acc (≈ |[<>])\d{1,3}\.\d% .*\(τ -?[01]\.\d\d\)/.test(ptext), `lens "${ptext}" shows params, MACs and the predicted accuracy with its τ`);
  await ctx.page.waitForTimeout(500);
  const texts = await codeLensTexts(ctx);
  ctx.log(`CodeLens lines in view:\n    ${texts.join('\n    ')}`);
  assert(texts.some((t) => /Show architecture/.test(t) && /Predict parameters/.test(t) && /[1-9][\d.]*[KMB]? params/.test(t)), 'a lens line has the commands and the figures');
  await ctx.screenshot('codelens');
}
