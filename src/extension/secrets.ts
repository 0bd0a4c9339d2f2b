// `${secret:NAME}` values in VS Code's SecretStorage (the OS keychain, or code-server's own
// encrypted store). Values never go to settings, logs, the view or exports.

import * as vscode from 'vscode';
import { SECRET_KEY_PREFIX } from './model/ids.js';

export class SecretStore implements vscode.Disposable {
  private readonly _onDidChange = new vscode.EventEmitter<string>();
  /** Fires with the secret's name when it is set or deleted (here or in another window). */
  readonly onDidChange = this._onDidChange.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly storage: vscode.SecretStorage) {
    this.subscription = storage.onDidChange((event) => {
      if (event.key.startsWith(SECRET_KEY_PREFIX)) this._onDidChange.fire(event.key.slice(SECRET_KEY_PREFIX.length));
    });
  }

  get(name: string): Thenable<string | undefined> {
    return this.storage.get(SECRET_KEY_PREFIX + name);
  }

  async has(name: string): Promise<boolean> {
    return (await this.get(name)) !== undefined;
  }

  async set(name: string, value: string): Promise<void> {
    await this.storage.store(SECRET_KEY_PREFIX + name, value);
  }

  async delete(name: string): Promise<void> {
    await this.storage.delete(SECRET_KEY_PREFIX + name);
  }

  dispose(): void {
    this.subscription.dispose();
    this._onDidChange.dispose();
  }
}
