/**
 * Quality metrics of an architecture: exact static figures (`static.ts`), predicted metrics from heads on
 * the GHN's graph embedding (`predicted.ts`; "not available" without trained heads), and the side-by-side
 * report (`report.ts`). The GHN embedding itself is in `embed.ts` (imported separately: it loads tfjs).
 */
export * from './static';
export * from './predicted';
export * from './report';
