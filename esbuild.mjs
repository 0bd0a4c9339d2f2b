// Bundles the CLI and the VS Code extension host code. `--production` minifies and writes no
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
  { ...common, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', external: [...common.external, 'vscode'] },
];

if (watch) {
  for (const options of builds) await (await esbuild.context(options)).watch();
  console.log('[watch] build started');
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
}
