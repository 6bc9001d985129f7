/**
 * `ghn-lens` — the command line face of the pipeline. Each subcommand lives in its own file and is
 * loaded on demand, so `--help` stays instant.
 */
const SUBCOMMANDS: Record<string, { summary: string; load: () => Promise<{ run(argv: string[]): Promise<number> }> }> = {
  graph: { summary: 'Build the architecture graph of a model from its Python source', load: () => import('./graph') },
  predict: { summary: 'Predict every parameter with a GHN and export safetensors', load: () => import('./predict') },
  metrics: { summary: 'Static and predicted quality metrics of a model', load: () => import('./metrics') },
};

export function usage(): string {
  const lines = ['Usage: ghn-lens <command> [options]', '', 'Commands:'];
  for (const [name, c] of Object.entries(SUBCOMMANDS)) lines.push(`  ${name.padEnd(10)}${c.summary}`);
  lines.push('', 'Run `ghn-lens <command> --help` for the options of a command.');
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    console.log(usage());
    return cmd ? 0 : 1;
  }
  if (cmd === '--version') {
    console.log(require('../../package.json').version);
    return 0;
  }
  const sub = SUBCOMMANDS[cmd];
  if (!sub) {
    console.error(`ghn-lens: unknown command '${cmd}'\n\n${usage()}`);
    return 2;
  }
  try {
    return await (await sub.load()).run(rest);
  } catch (e) {
    console.error(`ghn-lens ${cmd}: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}
