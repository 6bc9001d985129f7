// Run "GHN Lens: Show Architecture" from the command palette with the cursor in a model: the
// Architecture view opens in the GHN Lens side bar and its webview shows the graph (read from inside).
import type { E2EContext } from '../context';
import { assert, exampleModel, goToLine } from '../util';

export async function run(ctx: E2EContext): Promise<void> {
  const ex = exampleModel(ctx.workspace);
  await ctx.openFile(ex.file);
  await goToLine(ctx, ex.line + 1);
  await ctx.runCommand('GHN Lens: Show Architecture');
  await ctx.page.locator('.part.sidebar .composite.title', { hasText: /GHN Lens/i }).waitFor({ timeout: 30_000 });
  const frame = ctx.panelFrame();
  // The panel marks its root with the node count once the graph is drawn.
  const root = frame.locator('[data-state="graph"][data-node-count]').first();
  await root.waitFor({ timeout: 60_000 });
  const count = Number(await root.getAttribute('data-node-count'));
  ctx.log(`panel shows ${count} nodes`);
  assert(Number.isInteger(count) && count > 2, `the panel shows a graph (data-node-count=${count})`);
  const text = (await frame.locator('body').innerText()).trim();
  assert(text.length > 0, 'the panel has visible text');
  ctx.log(`panel text starts: ${JSON.stringify(text.slice(0, 120))}`);
  await ctx.screenshot('architecture-panel');
  // The CLI builds the same graph.
  // The CLI builds the same graph for the same input (the setting ghnLens.defaultInputShape's default).
  const cli = await ctx.cli(['graph', ex.file, '--entry', `${ex.name}()`, '--input', '1,3,32,32', '--format', 'json']);
  assert(cli.code === 0, `ghn-lens graph exits 0 (${cli.code}: ${cli.stderr.trim().slice(0, 200)})`);
  const nodes = (JSON.parse(cli.stdout) as { nodes: unknown[] }).nodes.length;
  ctx.log(`CLI: ${nodes} nodes for ${ex.name}()`);
  assert(nodes === count, `the panel's node count (${count}) equals the CLI's (${nodes})`);
}
