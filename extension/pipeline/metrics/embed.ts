/**
 * The GHN's node embeddings of an architecture, after its final LayerNorm (x_ln: what the decoders read
 * and what the metric heads' graph embedding averages). Uses the GHN module's own graph construction and
 * run, with no decoder targets, so it is the same computation `predictParameters` starts with.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ArchGraph } from '../arch/types';
import { ghnGraphFromArch, runGhn, type Ghn } from '../ghn/index';
import type { NodeEmbeddings } from './predicted';

export async function ghnNodeEmbeddings(ghn: Ghn, arch: ArchGraph, signal?: AbortSignal): Promise<NodeEmbeddings> {
  const { graph } = ghnGraphFromArch(arch);
  const run = await runGhn(ghn, graph, [], { signal });
  return { data: run.xLn, n: graph.nodes.length, dim: ghn.hid };
}

/** sha256 of a checkpoint file: the identity the metric heads record for the GHN they were trained on. */
export function fileSha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}
