/**
 * Screenshots of the panel harness: `npx tsx test/webview-harness/shot.ts [resnet|densenet|N] [dark|light] [out.png] [expanded]`.
 */
import { densenetLike, resnetLike } from './synthetic';
import { buildHarness, graphMessage, launch, openPanel, postToPanel, serve } from './harness';

// Page-side code in page.evaluate runs in the browser; the Node tsconfig has no DOM lib.
declare const window: any;


const [kind = 'resnet', theme = 'dark', out = 'test-artifacts/panel.png', mode = ''] = process.argv.slice(2);
const graph = kind === 'densenet' ? densenetLike() : resnetLike(Number(kind) || 120);
async function main(): Promise<void> {
const dir = await buildHarness();
const { url, server } = await serve(dir);
const browser = await launch();
try {
  const page = await openPanel(browser, url, { theme: theme === 'light' ? 'light' : 'dark', width: Number(process.env.W ?? 1280), height: Number(process.env.H ?? 800) });
  if (mode === 'expanded') await page.evaluate(() => { (window as unknown as { ghnPanel: { collapseThreshold: number } }).ghnPanel.collapseThreshold = Infinity; });
  const ms = await postToPanel(page, graphMessage(graph));
  console.log(`${graph.nodes.length} nodes, first frame ${ms.toFixed(0)} ms`);
  if (process.env.CLICK) {
    const p = await page.evaluate((id) => (window as unknown as { ghnPanel: { nodeClientPoint(id: string): { x: number; y: number } | null } }).ghnPanel.nodeClientPoint(id), process.env.CLICK);
    if (p) await page.mouse.click(p.x, p.y);
    console.log('posted', JSON.stringify(await page.evaluate(() => (window as unknown as { __posted: unknown[] }).__posted.slice(-2))));
  }
  await page.waitForTimeout(300);
  await page.screenshot({ path: out });
  console.log(out);
} finally {
  await browser.close();
  server.close();
}
}

void main();
