/** tsx's CommonJS loader API (its own types need moduleResolution node16+). */
declare module 'tsx/cjs/api' {
  /** Loads a TypeScript (or JS) module in its own namespace, resolved relative to `parentURL`. */
  export function require(id: string, parentURL: string): unknown;
}
