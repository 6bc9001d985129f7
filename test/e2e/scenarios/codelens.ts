// Open an example model file: the CodeLens over the model class shows "Show architecture",
// "Predict parameters" and the static figures (params, MACs) computed from the source.
import type { E2EContext } from '../context';
import { assert, exampleModelFile } from '../util';

export async function run(ctx: E2EContext): Promise<void> {
  const ex = exampleModelFile(ctx.workspace);
  ctx.log(`model file ${ex.file}, class ${ex.className} at line ${ex.classLine + 1}`);
  await ctx.openFile(ex.file);
  await ctx.screenshot('file-open');
  const figures = await ctx.waitForCodeLens(/params/);
  const text = (await figures.innerText()).trim();
  ctx.log(`CodeLens figures: "${text}"`);
  assert(/\d[\d.]*[KMB]? params · .*MACs/.test(text), `figures lens "${text}" shows params and MACs`);
  const show = await ctx.waitForCodeLens('Show architecture');
  await ctx.waitForCodeLens('Predict parameters');
  // The lenses sit above the class line.
  const lensBox = await show.boundingBox();
  assert(lensBox, 'the lens is visible');
  await ctx.screenshot('codelens');
}
