/**
 * The torch.nn catalogue: what PyTorch layers and functions do to shapes, which tensors they own,
 * and what they cost. Entries are data (tfjs/Netron style): one file per family, gathered in `registry.ts`,
 * checked against PyTorch by one test.
 */
import type { OpCategory, TensorShape } from '../arch/types';

/** A symbolic tensor as the catalogue sees it: only its shape (and dtype when it matters). */
export interface SymTensor {
  readonly kind: 'tensor';
  shape: TensorShape;
  dtype?: string;
}

/** Something the interpreter could not reduce to a plain value (a callable, a user object...). */
export interface OpaqueValue {
  readonly kind: 'opaque';
  /** What it was, for messages: `function relu`, `class BatchNorm2d`, `<unknown>`. */
  repr: string;
  /** For classes and functions from torch: their dotted name (`torch.nn.ReLU`, `torch.nn.functional.gelu`). */
  qualname?: string;
}

/** The values that reach a catalogue entry. Tuples and lists are arrays. */
export type CatValue =
  | number | boolean | string | null | undefined
  | SymTensor | OpaqueValue
  | CatValue[]
  | { readonly kind: 'dict'; entries: Record<string, CatValue> };

export interface ArgSpec {
  name: string;
  /** Absent means required. */
  default?: CatValue;
  /** `*args` collects the remaining positionals into an array (e.g. `permute(*dims)`, `view(*shape)`). */
  variadic?: boolean;
}

/** Arguments bound to names, defaults filled in. */
export type BoundArgs = Record<string, CatValue>;

/** A tensor a layer owns, with its local name (`weight`, `running_mean`), in `state_dict` order. */
export interface LocalTensor {
  name: string;
  shape: number[];
  role: 'parameter' | 'buffer';
  trainable: boolean;
  persistent: boolean;
  dtype: string;
}

/** Nested outputs: a tensor, or a tuple of outputs (LSTM returns (output, (h_n, c_n))). */
export type OutTree = { shape: TensorShape; dtype?: string } | OutTree[];

/** Raised by an entry for inputs that PyTorch itself would reject; the message reads like PyTorch's. */
export class ShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShapeError';
  }
}

/** A torch.nn module class. */
export interface LayerSpec {
  /** Class name as in torch.nn (`Conv2d`). */
  type: string;
  category: OpCategory;
  /** `__init__` parameters after `self`, in positional order, with PyTorch's defaults. */
  signature: ArgSpec[];
  /** Parameters and buffers, in the order `state_dict()` lists them (parameters first, then buffers). */
  tensors(args: BoundArgs): LocalTensor[];
  /**
   * Output of `forward` for the given inputs (bound against `forwardSignature`).
   * Throws ShapeError on inputs PyTorch would reject.
   */
  forward(args: BoundArgs, inputs: BoundArgs): OutTree;
  /** `forward` parameters after `self` (default: a single `input`). */
  forwardSignature?: ArgSpec[];
  /** Multiply-accumulates for one call; null when a shape needed is unknown. */
  macs(args: BoundArgs, inputs: BoundArgs, output: OutTree): number | null;
  /** The attributes worth showing and that the GHN needs (kernel_size, stride, groups, dilation...), normalised. */
  attrs?(args: BoundArgs): Record<string, unknown>;
  /** Sub-modules PyTorch registers inside this layer (TransformerEncoderLayer.self_attn...), if any. */
  children?(args: BoundArgs): { name: string; type: string; args: BoundArgs }[];
}

/**
 * A function-style op: `torch.cat`, `F.relu`, a tensor method (`x.view`), or an operator (`add` for `+`).
 * Names: `torch.cat`, `F.relu` (torch.nn.functional), `Tensor.view`, and operators as `operator.add`.
 */
export interface FunctionSpec {
  /** Canonical name, e.g. `relu`. The op name in the ArchGraph. */
  op: string;
  category: OpCategory;
  /** Every spelling that resolves to it: `torch.relu`, `F.relu`, `Tensor.relu`, `Tensor.relu_`. */
  names: string[];
  /** For `Tensor.*` names, the tensor itself is bound to the first parameter (usually `input`). */
  signature: ArgSpec[];
  /** Output(s); tensors are SymTensor values inside `args`. Throws ShapeError on bad input. */
  forward(args: BoundArgs): OutTree;
  macs?(args: BoundArgs, output: OutTree): number | null;
}

/**
 * Raised when an argument an entry needs is not statically known or not of a usable kind
 * (an opaque value for `kernel_size`, a string where an int is needed). Unlike ShapeError this is not
 * PyTorch's verdict, only the limit of what the catalogue can tell from source.
 */
export class ArgumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ArgumentError';
  }
}
