/** GHN-2's 15 primitive op types (`PRIMITIVES_DEEPNETS1M`), by id. */
export const PRIMITIVES = [
  'max_pool', 'avg_pool', 'sep_conv', 'dil_conv', 'conv', 'msa', 'cse', 'sum', 'concat', 'input', 'bias', 'bn', 'ln', 'pos_enc', 'glob_avg',
] as const;
export type Primitive = (typeof PRIMITIVES)[number];
export const PRIM: Record<Primitive, number> = Object.fromEntries(PRIMITIVES.map((p, i) => [p, i])) as Record<Primitive, number>;
