// Placeholder until the 'predict' subcommand lands; replaced by its owner.
export async function run(_argv: string[]): Promise<number> {
  console.error("ghn-lens predict: not built yet");
  return 2;
}
