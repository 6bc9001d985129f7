// The folder is the dependency contract: the pipeline is pure (no vscode, no DOM),
// the webview never touches vscode's Node API, the host never reaches into webview code.
import tseslint from 'typescript-eslint';

const noVscode = { name: 'vscode', message: 'The pipeline is pure TypeScript: no vscode import (see ARCHITECTURE.md).' };

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.cache/**', 'training/**', 'media/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['warn', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    files: ['extension/pipeline/**/*.ts', 'extension/cli/**/*.ts'],
    languageOptions: { globals: {} },
    rules: {
      'no-restricted-imports': ['error', { paths: [noVscode], patterns: [
        { group: ['**/host/**', '**/webview/**'], message: 'The pipeline depends on nothing above it.' },
      ] }],
      'no-restricted-globals': ['error',
        { name: 'window', message: 'The pipeline cannot use the DOM.' },
        { name: 'document', message: 'The pipeline cannot use the DOM.' },
        { name: 'HTMLElement', message: 'The pipeline cannot use the DOM.' },
        { name: 'navigator', message: 'The pipeline cannot use the DOM.' }],
    },
  },
  {
    files: ['webview/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: "Can't use vscode in the webview: talk to the host through extension/protocol." }],
        patterns: [{ group: ['**/extension/host/**', '**/extension/pipeline/**'], message: 'The webview only shares extension/protocol with the host.' }] }],
    },
  },
);
