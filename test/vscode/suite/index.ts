// Entry point VS Code loads for the @vscode/test-electron run: a mocha runner over the suite.

import Mocha from 'mocha';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: true, timeout: 30_000 });
  // The tests are bundled into this file, so they are registered by evaluating them after
  // mocha has put describe/it in place, instead of through mocha.addFile().
  mocha.suite.emit('pre-require', globalThis, 'extension.test.js', mocha);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- must run after pre-require, so no static import
  require('./extension.test.js');
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} test(s) failed`)) : resolve()));
  });
}
