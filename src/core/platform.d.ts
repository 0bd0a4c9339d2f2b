// The few platform APIs the core relies on. They exist unchanged in Node and in
// browsers, so declaring them keeps the core portable without pulling in the
// Node or DOM type libraries (which would also let timers and `process` in).

interface TextEncoder {
  encode(input?: string): Uint8Array;
}
declare const TextEncoder: { new (): TextEncoder };

interface TextDecoder {
  decode(input?: Uint8Array, options?: { stream?: boolean }): string;
}
declare const TextDecoder: {
  new (label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean }): TextDecoder;
};

interface URL {
  readonly protocol: string;
  readonly hostname: string;
  readonly host: string;
  readonly port: string;
  readonly pathname: string;
  readonly search: string;
  readonly hash: string;
  username: string;
  password: string;
  readonly searchParams: URLSearchParams;
  toString(): string;
}
declare const URL: { new (url: string, base?: string): URL };

interface URLSearchParams {
  keys(): IterableIterator<string>;
  set(name: string, value: string): void;
  has(name: string): boolean;
  getAll(name: string): string[];
}
