// The `ghn-lens` CLI that ships with the extension answers --help.
import type { E2EContext } from '../context';
import { assert } from '../util';

export const modes = ['trusted'];

export async function run(ctx: E2EContext): Promise<void> {
  const r = await ctx.cli(['--help']);
  assert(r.code === 0, `ghn-lens --help exits 0 (got ${r.code}: ${r.stderr})`);
  assert(/Usage: ghn-lens/.test(r.stdout) && /graph/.test(r.stdout) && /predict/.test(r.stdout), 'usage lists the commands');
  ctx.log(r.stdout.split('\n')[0]);
}
