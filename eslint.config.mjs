// Flat config: recommended rules plus the layering rules that keep src/core pure.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.vscode-test/**', '.code-server/**', '.cache/**', 'test-results/**', 'bench/.tmp/**', '.demo/**', '*.vsix'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2022, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      curly: ['error', 'multi-line'],
      eqeqeq: ['error', 'always'],
      'no-eval': 'error',
      'no-implied-eval': 'error',
      'no-new-func': 'error',
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [
          { name: 'vscode', message: 'src/core must not depend on VS Code; inject a port instead.' },
          { name: 'ws', message: 'src/core talks to ISocket; the ws adapter lives in src/node.' },
        ],
        patterns: [
          { group: ['node:*', 'fs', 'net', 'http', 'https', 'tls', 'timers', 'crypto', 'os', 'path'], message: 'src/core is pure; inject a Clock or another port.' },
          { group: ['**/extension/**', '**/webview/**', '**/node/**', '**/cli/**'], message: 'src/core imports nothing above it.' },
        ],
      }],
    },
  },
  {
    // The host⇄webview protocol: types and pure validators, imported by both sides.
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'src/shared is imported by the webview too.' }, { name: 'ws', message: 'src/shared is pure.' }],
        patterns: [
          { group: ['node:*'], message: 'src/shared runs in the browser too.' },
          { group: ['**/extension/**', '**/webview/**', '**/node/**', '**/cli/**'], message: 'src/shared depends on src/core only.' },
        ],
      }],
    },
  },
  {
    // The timeline webview: browser code that renders payloads from arbitrary servers.
    files: ['src/webview/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: "Can't use vscode in the webview; talk to the host through host.ts." }, { name: 'ws', message: 'The webview has no sockets.' }],
        patterns: [
          { group: ['node:*'], message: 'The webview runs in a browser.' },
          { group: ['**/extension/**', '**/node/**', '**/cli/**'], message: 'The webview depends on src/core and src/shared only.' },
        ],
      }],
      // Payloads are text, never markup: no HTML parsing sinks at all.
      'no-restricted-properties': ['error',
        { property: 'innerHTML', message: 'Use textContent or DOM nodes; payloads are untrusted.' },
        { property: 'outerHTML', message: 'Use textContent or DOM nodes; payloads are untrusted.' },
        { property: 'insertAdjacentHTML', message: 'Use DOM nodes; payloads are untrusted.' },
        { object: 'document', property: 'write', message: 'Never.' },
        { object: 'document', property: 'writeln', message: 'Never.' },
      ],
      'no-restricted-syntax': ['error',
        { selector: "CallExpression[callee.property.name='setAttribute'][arguments.0.value=/^on/i]", message: 'No inline event handlers; use addEventListener.' },
        { selector: "CallExpression[callee.property.name='setAttribute'][arguments.0.value='style']", message: 'The CSP blocks style attributes; use element.style.' },
        { selector: "CallExpression[callee.property.name='createContextualFragment']", message: 'Payloads are untrusted; build DOM nodes.' },
      ],
    },
  },
  {
    files: ['src/node/**/*.ts', 'src/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'Only src/extension may import vscode.' }],
        patterns: [{ group: ['**/extension/**', '**/webview/**'], message: 'Node code must not depend on the extension or webview.' }],
      }],
    },
  },
  {
    // The extension host glue: VS Code API allowed, but sockets only through src/node.
    files: ['src/extension/**/*.ts'],
    ignores: ['src/extension/model/**'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'ws', message: 'Use createWsSocket from src/node/wsSocket.ts; it is the only ws importer.' }],
        patterns: [{ group: ['**/cli/**', '**/webview/**'], message: 'The extension host must not depend on the CLI or on webview code.' }],
      }],
    },
  },
  {
    // What the extension shows and decides, without the VS Code API: unit-tested in plain Node.
    files: ['src/extension/model/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [
          { name: 'vscode', message: 'src/extension/model runs in plain Node under test/unit; keep VS Code API calls in src/extension.' },
          { name: 'ws', message: 'Use createWsSocket from src/node/wsSocket.ts, injected as a SocketFactory.' },
        ],
        patterns: [
          { group: ['node:*', 'fs', 'net', 'http', 'https', 'timers', 'child_process'], message: 'src/extension/model is pure; inject a port instead.' },
          { group: ['../*.js', '../**/*.js', '!../../core/**', '!../../core/*.js', '!../../shared/*.js'], message: 'src/extension/model must not import the VS Code glue around it.' },
          { group: ['**/node/**', '**/cli/**', '**/webview/**'], message: 'src/extension/model depends on src/core and src/shared (the webview protocol) only.' },
        ],
      }],
    },
  },
  {
    // Promises dropped on the floor in the extension host fail silently: every one is awaited or marked `void`.
    files: ['src/extension/**/*.ts'],
    languageOptions: { parserOptions: { project: './tsconfig.extension.json', tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
    },
  },
  {
    // Tools and the code they share with the tests: nothing here may depend on the test suites.
    files: ['support/**/*.ts', 'demo/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['**/test/**'], message: 'Tools import nothing from test/; move what they share with the tests to support/.' }],
      }],
    },
  },
  {
    files: ['test/e2e/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'The e2e suite drives the workbench through the browser, never the API.' }],
      }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: { require: 'readonly', module: 'writable', process: 'readonly', console: 'readonly', __dirname: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
