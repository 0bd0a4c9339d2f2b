// Flat config: recommended rules, the folder layering (which folder may import which), and
// the purity rules that keep src/core free of Node, VS Code and the DOM.
import js from '@eslint/js';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

// Layering is checked on resolved file paths, not on import strings, so a rule holds however deep
// the importing file sits ('../shared/x.js' from src/core and '../../shared/x.js' from
// src/core/engine are the same edge). We use import-x/no-restricted-paths from
// eslint-plugin-import-x rather than eslint-plugin-boundaries: it is the maintained, flat-config
// native fork of eslint-plugin-import, one rule whose zones (target may not import from, except
// …) read like the layering table below, and it needs no element/type vocabulary of its own.
// The resolver maps our '.js' specifiers to the '.ts' sources. An import it cannot resolve is
// one the rule cannot check, so relative imports must resolve (import-x/no-unresolved).
const layering = (message) => `Layering violation: ${message}`;

// src/core, bottom to top: each folder may import itself and the folders listed (lower layers
// only). Nothing in core imports probe, and only probe and diagnosis import engine.
const CORE_LAYERS = {
  common: [],
  model: ['common'],
  format: ['model', 'common'],
  engine: ['model', 'common', 'format'],
  files: ['model', 'common', 'format'],
  protocols: ['model', 'common', 'format', 'engine'],
  diagnosis: ['model', 'common', 'format', 'engine', 'protocols'],
  probe: ['engine', 'diagnosis', 'protocols', 'model', 'common', 'format'],
};

/** The zones of import-x/no-restricted-paths, paths relative to the repo root. */
function layeringZones() {
  return [
    {
      target: 'src/core',
      from: ['src/shared', 'src/extension', 'src/cli', 'src/webview', 'src/node'],
      message: layering(
        'src/core is the bottom layer and imports nothing outside src/core (not shared, extension, cli, webview or node). Move the code it needs into src/core, or inject it through a port.',
      ),
    },
    ...Object.entries(CORE_LAYERS).map(([part, lower]) => ({
      target: `src/core/${part}`,
      from: 'src/core',
      except: [part, ...lower].map((folder) => `./${folder}`),
      message: layering(
        `src/core/${part} may import ${lower.length ? `only ${lower.map((folder) => `core/${folder}`).join(', ')} (lower layers) besides itself` : 'no other core folder'}. Move what both need down into a lower folder, or have the higher layer pass it in (a callback or port).`,
      ),
    })),
    {
      target: 'src/shared',
      from: 'src/core',
      except: ['./model', './common', './format'],
      message: layering(
        'src/shared is bundled into the browser too and may import only core/model, core/common and core/format (never core/engine, core/files, core/diagnosis or core/probe). Move the pure piece it needs into one of those, or keep that dependency in src/extension.',
      ),
    },
    {
      target: 'src/shared',
      from: ['src/extension', 'src/cli', 'src/webview', 'src/node'],
      message: layering(
        'src/shared is imported by both the extension host and the webview and depends on nothing above it (extension, cli, webview, node). Move the code into src/shared or src/core.',
      ),
    },
    {
      target: 'src/webview',
      from: 'src/core',
      except: ['./common', './model', './format', './diagnosis'],
      message: layering(
        'the webview may import only core/common, core/model, core/format and core/diagnosis (pure tables) from src/core (never core/engine, core/files or core/probe). Move the pure piece into one of those, or compute it in the host and send it through src/shared.',
      ),
    },
    {
      target: 'src/webview',
      from: ['src/extension', 'src/cli', 'src/node'],
      message: layering(
        'the webview runs in a browser and talks to the host only through messages; it depends on src/shared and the pure core only. Put the shared types in src/shared.',
      ),
    },
    {
      target: 'src/extension/model',
      from: 'src/extension',
      except: ['./model'],
      message: layering(
        'src/extension/model is the VS Code-free model, unit-tested in plain Node; it may not import the VS Code glue around it (src/extension outside model/). Move the logic into model/, or have the glue pass it in.',
      ),
    },
    {
      target: 'src/extension/model',
      from: ['src/node', 'src/cli', 'src/webview'],
      message: layering(
        'src/extension/model depends on src/core and src/shared only. Inject sockets as a SocketFactory (created in src/extension from src/node) instead of importing src/node.',
      ),
    },
    {
      target: 'src/extension',
      from: ['src/cli', 'src/webview'],
      message: layering(
        'the extension host must not depend on the CLI or on webview code. Move what both need into src/core, src/node or src/shared.',
      ),
    },
    {
      target: 'src/node',
      from: ['src/extension', 'src/webview', 'src/cli'],
      message: layering(
        'src/node is the ws/network adapter under both the CLI and the extension; it may not import src/extension, src/webview or src/cli. Move the code into src/node or src/core.',
      ),
    },
    {
      target: 'src/cli',
      from: ['src/extension', 'src/webview'],
      message: layering(
        'the CLI must not depend on the extension or on webview code. Move what both need into src/core, src/node or src/shared.',
      ),
    },
    {
      target: ['bench', 'demo', 'scripts'],
      from: 'test',
      message: layering(
        'bench/, demo/ and scripts/ may not import test/. Move the shared helper out of test/ into a folder both may import.',
      ),
    },
  ];
}

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'out/**',
      'node_modules/**',
      '.vscode-test/**',
      '.code-server/**',
      '.cache/**',
      'test-results/**',
      'bench/.tmp/**',
      '.demo/**',
      '*.vsix',
    ],
  },
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
    // The layering above, for every file of the repo.
    files: ['**/*.{ts,mts,cts,js,mjs,cjs}'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [
        createNodeResolver({
          extensions: ['.ts', '.mts', '.cts', '.d.ts', '.js', '.mjs', '.cjs', '.json', '.node'],
          extensionAlias: { '.js': ['.ts', '.d.ts', '.js'], '.mjs': ['.mts', '.mjs'], '.cjs': ['.cts', '.cjs'] },
        }),
      ],
    },
    rules: {
      'import-x/no-restricted-paths': ['error', { basePath: import.meta.dirname, zones: layeringZones() }],
      // Relative imports only: packages ('vscode' has types but no runtime module) are tsc's job.
      'import-x/no-unresolved': ['error', { ignore: ['^[^.]'] }],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'vscode', message: 'src/core must not depend on VS Code; inject a port instead.' },
            { name: 'ws', message: 'src/core talks to ISocket; the ws adapter lives in src/node.' },
          ],
          patterns: [
            {
              group: ['node:*', 'fs', 'net', 'http', 'https', 'tls', 'timers', 'crypto', 'os', 'path'],
              message: 'src/core is pure; inject a Clock or another port.',
            },
          ],
        },
      ],
    },
  },
  {
    // The host⇄webview protocol: types and pure validators, imported by both sides.
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'vscode', message: 'src/shared is imported by the webview too.' },
            { name: 'ws', message: 'src/shared is pure.' },
          ],
          patterns: [{ group: ['node:*'], message: 'src/shared runs in the browser too.' }],
        },
      ],
    },
  },
  {
    // The timeline webview: browser code that renders payloads from arbitrary servers.
    files: ['src/webview/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'vscode', message: "Can't use vscode in the webview; talk to the host through host.ts." },
            { name: 'ws', message: 'The webview has no sockets.' },
          ],
          patterns: [{ group: ['node:*'], message: 'The webview runs in a browser.' }],
        },
      ],
      // Payloads are text, never markup: no HTML parsing sinks at all.
      'no-restricted-properties': [
        'error',
        { property: 'innerHTML', message: 'Use textContent or DOM nodes; payloads are untrusted.' },
        { property: 'outerHTML', message: 'Use textContent or DOM nodes; payloads are untrusted.' },
        { property: 'insertAdjacentHTML', message: 'Use DOM nodes; payloads are untrusted.' },
        { object: 'document', property: 'write', message: 'Never.' },
        { object: 'document', property: 'writeln', message: 'Never.' },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.property.name='setAttribute'][arguments.0.value=/^on/i]",
          message: 'No inline event handlers; use addEventListener.',
        },
        {
          selector: "CallExpression[callee.property.name='setAttribute'][arguments.0.value='style']",
          message: 'The CSP blocks style attributes; use element.style.',
        },
        {
          selector: "CallExpression[callee.property.name='createContextualFragment']",
          message: 'Payloads are untrusted; build DOM nodes.',
        },
      ],
    },
  },
  {
    files: ['src/node/**/*.ts', 'src/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: 'Only src/extension may import vscode.' }],
        },
      ],
    },
  },
  {
    // The extension host glue: VS Code API allowed, but sockets only through src/node.
    files: ['src/extension/**/*.ts'],
    ignores: ['src/extension/model/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'ws',
              message:
                'Use createWsSocket from src/node/wsSocket.ts; src/node (wsSocket.ts, tapRelay.ts) alone imports ws.',
            },
          ],
        },
      ],
    },
  },
  {
    // What the extension shows and decides, without the VS Code API: unit-tested in plain Node.
    files: ['src/extension/model/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'vscode',
              message:
                'src/extension/model runs in plain Node under test/unit; keep VS Code API calls in src/extension.',
            },
            { name: 'ws', message: 'Use createWsSocket from src/node/wsSocket.ts, injected as a SocketFactory.' },
          ],
          patterns: [
            {
              group: ['node:*', 'fs', 'net', 'http', 'https', 'timers', 'child_process'],
              message: 'src/extension/model is pure; inject a port instead.',
            },
          ],
        },
      ],
    },
  },
  {
    // Promises dropped on the floor in the extension host fail silently: every one is awaited or marked `void`.
    files: ['src/extension/**/*.ts'],
    languageOptions: {
      parserOptions: { project: './src/extension/tsconfig.json', tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
    },
  },
  {
    // Tools and the code they share with the tests: nothing here may depend on the test suites.
    files: ['support/**/*.ts', 'demo/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/test/**'],
              message: 'Tools import nothing from test/; move what they share with the tests to support/.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['test/e2e/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'vscode', message: 'The e2e suite drives the workbench through the browser, never the API.' },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: {
      globals: {
        require: 'readonly',
        module: 'writable',
        process: 'readonly',
        console: 'readonly',
        __dirname: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
