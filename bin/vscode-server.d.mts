// Types of vscode-server.mjs for the TypeScript callers (test/e2e/run.ts).
import type { ChildProcess } from 'node:child_process';

export const ROOT: string;
export const CACHE: string;
export const NODE24_VERSION: string;
export const CODE_SERVER_VERSION: string;
export interface Tools { node24: string; codeServer: string; env: Record<string, string> }
export interface Profile { dir: string; user: string; ext: string; config: string; env: Record<string, string> }
export interface Server { url: string; folderUrl: string; child: ChildProcess; stop(): void }
export function ensureTools(log?: (m: string) => void): Tools;
export function profile(dir: string): Profile;
export function installVsix(tools: Tools, p: Profile, vsix: string): void;
export function startServer(tools: Tools, p: Profile, o: { port: number; workspace: string; trusted: boolean; logFile?: string }): Promise<Server>;
