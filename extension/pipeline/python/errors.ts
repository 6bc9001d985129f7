import type { PNode } from './parse';
import type { Value } from './values';

/**
 * A Python-level exception inside the interpreted program. `explicit` is set for a `raise` written in
 * the source (so `try/except` in user code can catch it); otherwise it is the interpreter's own
 * "cannot follow this" (unknown name, unsupported construct), which statement-level recovery turns into
 * a diagnostic.
 */
export class PyError extends Error {
  constructor(public pyType: string, message: string, public node?: PNode, public explicit = false, public value?: Value) {
    super(message);
    this.name = 'PyError';
  }
}

/** The step budget ran out: unwinds the whole evaluation, never caught by user `try`. */
export class BudgetError extends Error {
  constructor(public node?: PNode) {
    super('step budget exhausted');
    this.name = 'BudgetError';
  }
}
