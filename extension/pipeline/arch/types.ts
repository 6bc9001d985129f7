/**
 * The architecture graph: the one small graph model every stage shares.
 *
 * Python source --(python/)--> ArchGraph --(ghn/)--> GhnGraph --> predicted parameters --(formats/)--> files.
 * The panel, the metrics and the exporters only read an ArchGraph; nothing downstream
 * looks at Python again.
 *
 * Conventions
 * - Shapes are PyTorch's, batch first: a conv activation is [N, C, H, W]. A dimension that cannot be
 *   inferred is `null` (never a guess).
 * - Source positions are 0-based line and column, like tree-sitter and the VS Code API.
 * - Parameter and buffer names are fully qualified `state_dict` keys (`layer1.0.conv1.weight`).
 */
import type { MultiDirectedGraph } from 'graphology';

/** One tensor shape; `null` marks a dimension the interpreter could not infer. */
export type TensorShape = (number | null)[];

export interface SourceLocation {
  /** Absolute path, or the name given to the parser for unsaved text. */
  file: string;
  /** 0-based. */
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export type TensorRole = 'parameter' | 'buffer';

/** One entry of a module's `state_dict` (or a non-persistent buffer, flagged). */
export interface ParamTensor {
  /** Fully qualified `state_dict` key, e.g. `layer1.0.bn1.running_mean`. */
  name: string;
  shape: number[];
  role: TensorRole;
  /** `requires_grad` of a parameter; false for buffers. */
  trainable: boolean;
  /** Buffers registered with persistent=False are not in `state_dict`. */
  persistent: boolean;
  /** PyTorch dtype name: 'float32' unless the layer says otherwise (e.g. 'int64' for num_batches_tracked). */
  dtype: string;
}

/**
 * Coarse families for colouring, the legend and the GHN mapping.
 * Netron-style categories, extended with what model code actually does.
 */
export type OpCategory =
  | 'input' | 'output'
  | 'conv' | 'linear' | 'norm' | 'activation' | 'pool' | 'dropout'
  | 'recurrent' | 'attention' | 'embedding' | 'upsample'
  | 'elementwise' | 'reduce' | 'shape' | 'tensor' | 'container' | 'unknown';

/**
 * One operation in `forward`: a module call (`self.conv1(x)`), a functional call (`F.relu(x)`),
 * a tensor method (`x.view(...)`), an operator (`x + y`), or the graph input/output.
 */
export interface OpNode {
  /** Unique and stable within one graph, e.g. `n12`. */
  id: string;
  /**
   * What the op is. Module calls use the torch.nn class name (`Conv2d`, `BatchNorm2d`, `Linear`);
   * functional/tensor/operator ops use the torch function name in lower case (`relu`, `add`, `mul`,
   * `cat`, `matmul`, `view`, `flatten`, `mean`, `adaptive_avg_pool2d`, `max_pool2d`, `softmax`, `getitem`...);
   * graph ends are `input` and `output`.
   */
  op: string;
  category: OpCategory;
  kind: 'module' | 'function' | 'method' | 'operator' | 'input' | 'output';
  /**
   * For module calls, the module's qualified path (`layer1.0.conv1`). For other ops, the path of the
   * module whose forward ran them (`layer1.0`, or '' at the top level).
   */
  modulePath: string;
  /** For module calls: the class name (`Conv2d`, or a user class for an opaque module). */
  moduleType?: string;
  /** Constructor arguments (modules) or call arguments (functions) that matter: kernel_size, stride,
   *  padding, dilation, groups, keepdim, dim, in_features... Plain JSON values only. */
  attrs: Record<string, unknown>;
  /** One entry per tensor input, in call order (the order of `edges` with their `dstInput`). */
  inputShapes: TensorShape[];
  /** One entry per tensor output (most ops have one; `chunk`, `split`, LSTM have several). */
  outputShapes: TensorShape[];
  /** Parameters and buffers this op owns directly, in `state_dict` order (module calls only). */
  params: ParamTensor[];
  /** Multiply-accumulates for the given input shape (0 when none or unknown; see `macsExact`). */
  macs: number;
  /** False when `macs` could not be computed because a shape was unknown. */
  macsExact: boolean;
  /** Where `forward` performs the op. */
  loc?: SourceLocation;
  /** Where the module was constructed (`self.conv1 = nn.Conv2d(...)`), for module calls. */
  defLoc?: SourceLocation;
  /** Set when the same module is called more than once: 0, 1, ... (shared weights). */
  callIndex?: number;
}

/** A tensor flowing from one op's output to another op's input. */
export interface TensorEdge {
  /** Index into the producer's `outputShapes`. */
  srcOutput: number;
  /** Index into the consumer's `inputShapes` (call order: `torch.cat([a, b])` gives a→0, b→1). */
  dstInput: number;
  shape: TensorShape;
}

/** One node of the module tree (`named_modules()`), so the panel can collapse it. */
export interface ModuleInfo {
  /** Qualified path; '' is the root model. */
  path: string;
  /** Class name (`Bottleneck`, `Conv2d`, `Sequential`). */
  type: string;
  /** Paths of direct children, in registration order. */
  children: string[];
  /** Direct parameters and buffers, in `state_dict` order. */
  params: ParamTensor[];
  defLoc?: SourceLocation;
  /** True for torch.nn leaf layers from the catalogue. */
  isLeaf: boolean;
}

export type DiagnosticSeverity = 'error' | 'warning' | 'info';

/** Anything the parser or interpreter could not follow. Never an exception for user input. */
export interface Diagnostic {
  severity: DiagnosticSeverity;
  message: string;
  /** A short stable code, e.g. `unsupported-layer`, `unknown-name`, `step-budget`, `syntax`. */
  code: string;
  loc?: SourceLocation;
}

export interface ArchGraphAttributes {
  /** The entry that was built: `ResNet`, `resnet50(num_classes=10)`... */
  entry: string;
  /** Class name of the root module. */
  modelType: string;
  inputShape: TensorShape;
  /** Shape of the model's (first) output. */
  outputShape: TensorShape | null;
  /** The module tree in `named_modules()` order; modules[0] is the root (path ''). */
  modules: ModuleInfo[];
  /** Full `state_dict()` in PyTorch's order (parameters and persistent buffers). */
  stateDict: ParamTensor[];
  totalParams: number;
  trainableParams: number;
  /** Sum of node MACs. */
  macs: number;
  diagnostics: Diagnostic[];
  /** True when the graph is incomplete because something could not be followed. */
  partial: boolean;
}

/**
 * The architecture graph. A graphology multigraph (the same tensor may feed an op twice: `x + x`)
 * whose node attributes are `OpNode` (key = `OpNode.id`) and edge attributes `TensorEdge`.
 * Insertion order of nodes is execution order of `forward`.
 */
export type ArchGraph = MultiDirectedGraph<OpNode, TensorEdge, ArchGraphAttributes>;

/** Plain-JSON form of an ArchGraph (the CLI's `--format json`, the webview's payload). */
export interface ArchGraphJson extends Omit<ArchGraphAttributes, 'modules'> {
  modules: ModuleInfo[];
  nodes: OpNode[];
  edges: (TensorEdge & { source: string; target: string })[];
}

/** A model the user can build from a file: a module class, a factory function, or a call expression. */
export interface ModelEntry {
  /** Display name: the class or function name. */
  name: string;
  kind: 'class' | 'factory';
  /** The expression that builds it with its defaults: `ResNet()`, `resnet18()`, `VGG('VGG16')`. */
  expr: string;
  /** The `class`/`def` line (for the CodeLens). */
  loc: SourceLocation;
}
