/**
 * The Architecture panel host's pure decisions (no vscode import, unit-tested): which model is under the
 * cursor, and which nodes a source line made.
 */
import type { ArchGraphJson, ModelEntry, SourceLocation } from '../pipeline/arch/types';

/** The entry whose class/def range holds the line; with single-line locations, the nearest one above; else the first. */
export function entryAtLine(entries: readonly ModelEntry[], line: number): ModelEntry | undefined {
  const containing = entries.filter((e) => e.loc.line <= line && line <= e.loc.endLine && e.loc.endLine > e.loc.line);
  if (containing.length) return containing.reduce((a, b) => (b.loc.endLine - b.loc.line < a.loc.endLine - a.loc.line ? b : a));
  if (entries.every((e) => e.loc.endLine === e.loc.line)) {
    const above = entries.filter((e) => e.loc.line <= line);
    if (above.length) return above.reduce((a, b) => (b.loc.line > a.loc.line ? b : a));
  }
  return entries[0];
}

/** Ids of nodes whose call (`loc`) or definition (`defLoc`) spans the line of the file. */
export function nodesAtLine(graph: ArchGraphJson, file: string, line: number): string[] {
  const on = (l: SourceLocation | undefined): boolean => !!l && l.file === file && l.line <= line && line <= Math.max(l.line, l.endLine);
  return graph.nodes.filter((n) => on(n.loc) || on(n.defLoc)).map((n) => n.id);
}
