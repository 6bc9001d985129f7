// Placeholder until the 'graph' subcommand lands; replaced by its owner.
export async function run(_argv: string[]): Promise<number> {
  console.error("ghn-lens graph: not built yet");
  return 2;
}
