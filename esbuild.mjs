// Bundles the CLI, the VS Code extension host code and the timeline webview. `--production` minifies and writes no
// source maps (the .vsix build); otherwise source maps are written for debugging. Never commit dist/.
import * as esbuild from 'esbuild';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const common = {
  bundle: true,
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  logLevel: 'warning',
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // ws loads these optional native accelerators inside try/catch; keep them out of the bundle.
  external: ['bufferutil', 'utf-8-validate'],
};

const builds = [
  { ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js' },
  // The extension host provides `vscode` at run time; everything else (ws included) is bundled,
  // so the .vsix needs no node_modules.
  {
    ...common,
    entryPoints: ['src/extension/extension.ts'],
    outfile: 'dist/extension.js',
    external: [...common.external, 'vscode'],
  },
  // The timeline webview: one browser script plus the CSS it imports (dist/webview/webview.css).
  // Its own folder, because the panel's localResourceRoots is exactly this folder.
  {
    ...common,
    entryPoints: ['src/webview/main.ts'],
    outfile: 'dist/webview/webview.js',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    external: [],
  },
];

if (watch) {
  for (const options of builds) await (await esbuild.context(options)).watch();
  console.log('[watch] build started');
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
}
