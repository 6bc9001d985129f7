// Open an example model file: over each model class and factory the CodeLens shows "Show architecture",
// "Predict parameters" and the static figures (params, MACs) computed from the source.
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
  await ctx.page.waitForTimeout(500);
  const texts = await codeLensTexts(ctx);
  ctx.log(`CodeLens lines in view:\n    ${texts.join('\n    ')}`);
  assert(texts.some((t) => /Show architecture/.test(t) && /Predict parameters/.test(t) && /[1-9][\d.]*[KMB]? params/.test(t)), 'a lens line has the commands and the figures');
  await ctx.screenshot('codelens');
}
