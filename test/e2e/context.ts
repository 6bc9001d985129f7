/**
 * What every E2E scenario (`test/e2e/scenarios/*.ts`, each `export async function run(ctx: E2EContext)`)
 * gets: a real VS Code workbench (code-server) in headless Chromium with the packaged GHN Lens .vsix
 * installed, opened on a fresh copy of `examples/`. Each scenario runs twice: in Restricted Mode
 * (`trusted: false`) and in a trusted workspace. A scenario fails by throwing.
 */
import type { FrameLocator, Locator, Page } from 'playwright-core';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface E2EContext {
  /** The workbench page (already loaded, explorer visible). */
  page: Page;
  /** False in Restricted Mode. */
  trusted: boolean;
  /** Absolute path of the workspace folder (a temp copy of examples/, fresh for each mode). */
  workspace: string;
  /** Folder for this scenario's artifacts (screenshots, logs): test-artifacts/e2e/<mode>/<scenario>/. */
  artifacts: string;
  /** Screenshots the whole page into `artifacts/NN-name.png`; returns the path. Look at it. */
  screenshot(name: string): Promise<string>;
  /** Opens a workspace file by (relative) name through Quick Open and waits for the editor. */
  openFile(name: string): Promise<void>;
  /** Runs a command palette command by its full title, e.g. 'GHN Lens: Show Architecture'. */
  runCommand(title: string): Promise<void>;
  /** Inside the Architecture webview (the panel's own document); the view must be visible. */
  panelFrame(): FrameLocator;
  /** Waits (up to 60 s) for a CodeLens in the active editor whose text matches, and returns it. */
  waitForCodeLens(text: string | RegExp): Promise<Locator>;
  /** Runs the built CLI (`node bin/ghn-lens.js ...args`) in the workspace folder. */
  cli(args: string[]): Promise<CliResult>;
  /** A line in the E2E log (printed and saved with the artifacts). */
  log(msg: string): void;
}

/** A scenario module. */
export interface Scenario {
  run(ctx: E2EContext): Promise<void>;
  /** Optional: run only in one mode. */
  modes?: ('restricted' | 'trusted')[];
}
