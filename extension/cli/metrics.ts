// Placeholder until the 'metrics' subcommand lands; replaced by its owner.
export async function run(_argv: string[]): Promise<number> {
  console.error("ghn-lens metrics: not built yet");
  return 2;
}
