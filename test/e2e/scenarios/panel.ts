// The Architecture panel, linked both ways to the code: click the CodeLens "Show architecture", the panel's
// node count equals the CLI's for that entry; click a node and the editor cursor lands on its line; move
// the cursor and the node made by that line is highlighted; collapse a module (its box header) and expand
// it again (double-click on the group); screenshots in the dark and the light theme.
import type { FrameLocator } from 'playwright-core';
import type { E2EContext } from '../context';
import { assert, exampleModel, goToLine } from '../util';

interface CliNode { id: string; op: string; kind: string; modulePath: string; loc?: { file: string; line: number } }
interface CliGraph { nodes: CliNode[]; modules: { path: string; children: string[] }[] }
type Pt = { x: number; y: number; cx: number; cy: number } | null;

// Page-side code in evaluate runs in the webview; the Node tsconfig has no DOM lib.
declare const window: any;

/** Runs a self-contained function inside the panel's document (it is serialised: no closures). */
async function panelEval<T, A>(frame: FrameLocator, fn: (body: unknown, arg: A) => T, arg: A): Promise<T> {
  return frame.locator('body').evaluate(fn as (body: unknown, arg: unknown) => T, arg as unknown) as Promise<T>;
}

async function cursorLine(ctx: E2EContext): Promise<number> {
  const item = ctx.page.locator('.statusbar-item[id$="editor.selection"], .statusbar-item[aria-label*="Ln "]').first();
  await item.waitFor({ timeout: 10_000 });
  const text = (await item.innerText()).trim();
  const m = /Ln\s+(\d+)/.exec(text) ?? /Line\s+(\d+)/.exec((await item.getAttribute('aria-label')) ?? '');
  assert(m, `status bar shows the cursor line ("${text}")`);
  return Number(m[1]) - 1;
}

async function setTheme(ctx: E2EContext, name: string): Promise<void> {
  // Ctrl+K Ctrl+T opens the colour theme picker itself (the palette's fuzzy match may pick the Marketplace one).
  await ctx.page.locator('.monaco-editor .view-lines').first().click();
  await ctx.page.keyboard.press('Control+K');
  await ctx.page.keyboard.press('Control+T');
  const input = ctx.page.locator('.quick-input-widget input');
  await input.waitFor();
  await input.fill(name);
  await ctx.page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor({ timeout: 10_000 });
  await ctx.page.keyboard.press('Enter');
  await ctx.page.waitForTimeout(1500);
}

export async function run(ctx: E2EContext): Promise<void> {
  const ex = exampleModel(ctx.workspace);
  // A workbench restored from an earlier session may greet us with a "save changes?" dialog.
  const dontSave = ctx.page.locator('.monaco-dialog-box .monaco-button', { hasText: "Don't Save" });
  if (await dontSave.isVisible()) { ctx.log('dismissing a leftover save dialog'); await dontSave.click(); }
  await ctx.openFile(ex.file);
  await goToLine(ctx, ex.line);
  // The lens over the model (ctx.waitForCodeLens takes the first lens in the DOM, which may belong to a
  // block class scrolled out of view).
  const visibleLenses = ctx.page.locator('.monaco-editor .codelens-decoration a', { hasText: 'Show architecture' }).filter({ visible: true });
  await visibleLenses.first().waitFor({ timeout: 60_000 });
  const own = ctx.page.locator(`.monaco-editor .codelens-decoration a[title*="${ex.name}("]`, { hasText: 'Show architecture' }).filter({ visible: true }).first();
  await ((await own.count()) ? own : visibleLenses.first()).click();
  const frame = ctx.panelFrame();
  const root = frame.locator('#app[data-state="graph"][data-node-count][data-drawn]');
  await root.waitFor({ timeout: 90_000 });
  const count = Number(await root.getAttribute('data-node-count'));
  const entry = (await root.getAttribute('data-entry')) ?? `${ex.name}()`;
  ctx.log(`panel: ${count} nodes for ${entry}, ${await root.getAttribute('data-visible-count')} shown, layout ${await root.getAttribute('data-layout')}`);

  // 1. Same node count as the CLI.
  // The extension builds with `ghnLens.defaultInputShape`; give the CLI the same input.
  const input = (await root.getAttribute('data-input-shape')) ?? '';
  const cli = await ctx.cli(['graph', ex.file, '--entry', entry, ...(/^[\d,]+$/.test(input) ? ['--input', input] : []), '--format', 'json']);
  assert(cli.code === 0, `CLI graph exits 0 (${cli.stderr.slice(0, 200)})`);
  const graph = JSON.parse(cli.stdout) as CliGraph;
  ctx.log(`CLI: ${graph.nodes.length} nodes for ${entry} with input ${input}`);
  assert(graph.nodes.length === count, `panel node count ${count} equals the CLI's ${graph.nodes.length}`);
  await setTheme(ctx, 'Dark Modern');
  await ctx.screenshot('panel-dark');
  const dark = await panelEval(frame, (_b) => getComputedStyle(document.body).getPropertyValue('--vscode-editor-background'), null);
  ctx.log(`panel background in the dark theme: ${dark}`);

  // 2. Click a node: the editor cursor lands on its line.
  const visible = await panelEval(frame, (_b) => window.ghnPanel.visibleIds() as string[], null);
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const target = visible.map((id) => byId.get(id)).find((n): n is CliNode => !!n && !!n.loc && n.kind === 'module' && n.loc.file.endsWith(ex.file))
    ?? visible.map((id) => byId.get(id)).find((n): n is CliNode => !!n && !!n.loc && n.kind !== 'input' && n.loc.file.endsWith(ex.file));
  assert(target?.loc, 'a visible node with a source location');
  await panelEval(frame, (_b, id: string) => window.ghnPanel.centreOn(id), target.id);
  const p = await panelEval(frame, (_b, id: string) => window.ghnPanel.nodeClientPoint(id) as Pt, target.id);
  assert(p, `node ${target.id} is on screen`);
  await frame.locator('#graph').click({ position: { x: p.cx, y: p.cy } });
  await ctx.page.waitForTimeout(1000);
  const line = await cursorLine(ctx);
  ctx.log(`clicked ${target.id} (${target.op} ${target.modulePath}, line ${target.loc.line + 1}): cursor on line ${line + 1}`);
  assert(line === target.loc.line, `cursor on line ${line + 1}, expected ${target.loc.line + 1}`);
  assert((await root.getAttribute('data-selected')) === target.id, 'the clicked node is selected');
  await ctx.screenshot('node-clicked');

  // 3. Move the cursor: the node(s) of that line are highlighted.
  const other = graph.nodes.find((n) => n.loc && n.loc.file.endsWith(ex.file) && n.loc.line !== target.loc!.line && n.kind === 'module' && visible.includes(n.id))
    ?? graph.nodes.find((n) => n.loc && n.loc.file.endsWith(ex.file) && n.loc.line !== target.loc!.line && n.kind !== 'input');
  assert(other?.loc, 'another node with a source location');
  const expected = new Set(graph.nodes.filter((n) => n.loc && n.loc.line === other.loc!.line && n.loc.file.endsWith(ex.file)).map((n) => n.id));
  await goToLine(ctx, other.loc.line);
  // The click above already highlighted the clicked node's line: wait for the highlight to move, not just exist.
  let highlighted: string[] = [];
  for (const until = Date.now() + 15_000; Date.now() < until; await ctx.page.waitForTimeout(250)) {
    highlighted = ((await root.getAttribute('data-highlighted')) ?? '').split(' ').filter(Boolean);
    if (highlighted.some((id) => expected.has(id) || id.startsWith('g:'))) break;
  }
  ctx.log(`cursor on line ${other.loc.line + 1} (${[...expected].join(', ')}): panel highlights ${highlighted.join(', ')}`);
  assert(highlighted.some((id) => expected.has(id) || id.startsWith('g:')), 'the node of the cursor line is highlighted');
  await ctx.screenshot('cursor-highlight');

  // 4. Collapse a module by its box header, expand it again by double-clicking the group.
  const hier = graph.modules.find((m) => m.path && m.children.length > 0 && !visible.includes(`g:${m.path}`)
    && graph.nodes.some((n) => visible.includes(n.id) && (n.modulePath === m.path || n.modulePath.startsWith(m.path + '.'))));
  if (hier) {
    const before = Number(await root.getAttribute('data-visible-count'));
    const firstOp = graph.nodes.find((n) => visible.includes(n.id) && n.modulePath.startsWith(hier.path + '.'))!;
    await panelEval(frame, (_b, id: string) => window.ghnPanel.centreOn(id), firstOp.id);
    const h = await panelEval(frame, (_b, path: string) => window.ghnPanel.boxHeaderPoint(path) as Pt, hier.path);
    assert(h, `the box header of ${hier.path} is on screen`);
    await frame.locator('#graph').click({ position: { x: h.cx, y: h.cy } });
    await frame.locator(`#app[data-collapsed~="${hier.path}"]`).waitFor({ timeout: 15_000 });
    const collapsed = Number(await root.getAttribute('data-visible-count'));
    ctx.log(`collapsed ${hier.path}: ${before} → ${collapsed} visible nodes`);
    assert(collapsed < before, 'collapsing hides nodes');
    await ctx.screenshot('module-collapsed');
    const g = await panelEval(frame, (_b, id: string) => { window.ghnPanel.centreOn(id); return window.ghnPanel.nodeClientPoint(id) as Pt; }, `g:${hier.path}`);
    assert(g, 'the collapsed group is on screen');
    await frame.locator('#graph').dblclick({ position: { x: g.cx, y: g.cy } });
    await frame.locator(`#app:not([data-collapsed~="${hier.path}"])`).waitFor({ timeout: 15_000 });
    const expanded = Number(await root.getAttribute('data-visible-count'));
    ctx.log(`expanded ${hier.path}: ${expanded} visible nodes`);
    assert(expanded > collapsed, 'expanding shows nodes again');
  } else {
    ctx.log('no expanded module with a box to collapse in this model');
  }

  // 5. Light theme.
  await panelEval(frame, (_b) => window.ghnPanel.fitAll(), null);
  await setTheme(ctx, 'Light Modern');
  await ctx.screenshot('panel-light');
  const bg = await panelEval(frame, (_b) => getComputedStyle(document.body).getPropertyValue('--vscode-editor-background'), null);
  ctx.log(`panel background in the light theme: ${bg}`);
  assert(bg.trim().toLowerCase() !== dark.trim().toLowerCase(), 'the panel follows the colour theme');
}

declare const document: any;
declare function getComputedStyle(e: unknown): { getPropertyValue(n: string): string };
