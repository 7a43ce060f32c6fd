// jsdom ships no types and @types/jsdom is not a dependency: the tests and `inspect --html`
// only use the constructor and its window.
declare module "jsdom" {
  export class JSDOM {
    constructor(html?: string, options?: Record<string, unknown>);
    readonly window: Window & typeof globalThis;
  }
}
