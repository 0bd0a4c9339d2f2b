// Tiny event/disposable kit, structurally compatible with vscode.Event and
// vscode.Disposable so the extension can pass core events straight through.

/** Anything that holds a resource until disposed. */
export interface IDisposable {
  dispose(): void;
}

/** Subscribe a listener; dispose the result to unsubscribe. */
export type Event<T> = (listener: (e: T) => void) => IDisposable;

/** A typed event source. Listeners run synchronously, in subscription order. */
export class Emitter<T> implements IDisposable {
  private listeners: Array<(e: T) => void> = [];
  private disposed = false;

  readonly event: Event<T> = (listener) => {
    if (this.disposed) {
      return { dispose: () => undefined };
    }
    this.listeners.push(listener);
    let removed = false;
    return {
      dispose: () => {
        if (removed) return;
        removed = true;
        const index = this.listeners.indexOf(listener);
        if (index >= 0) this.listeners.splice(index, 1);
      },
    };
  };

  fire(value: T): void {
    const listeners = this.listeners;
    // Fast path for the common single-listener case on hot paths (message ingest).
    if (listeners.length === 1) {
      listeners[0]!(value);
      return;
    }
    for (const listener of listeners.slice()) listener(value);
  }

  get listenerCount(): number {
    return this.listeners.length;
  }

  dispose(): void {
    this.disposed = true;
    this.listeners = [];
  }
}

/** Owns disposables and disposes them together; adding after disposal disposes at once. */
export class DisposableStore implements IDisposable {
  private readonly items = new Set<IDisposable>();
  private disposed = false;

  add<T extends IDisposable>(item: T): T {
    if (this.disposed) item.dispose();
    else this.items.add(item);
    return item;
  }

  /** Disposes everything held now, but stays usable. */
  clear(): void {
    const items = [...this.items];
    this.items.clear();
    for (const item of items) item.dispose();
  }

  get size(): number {
    return this.items.size;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.clear();
  }
}

/** A slot holding at most one disposable; setting a new value disposes the old one. */
export class DisposableSlot<T extends IDisposable> implements IDisposable {
  private current: T | undefined;

  get value(): T | undefined {
    return this.current;
  }

  set value(next: T | undefined) {
    if (this.current === next) return;
    const previous = this.current;
    this.current = next;
    previous?.dispose();
  }

  clear(): void {
    this.value = undefined;
  }

  dispose(): void {
    this.clear();
  }
}
