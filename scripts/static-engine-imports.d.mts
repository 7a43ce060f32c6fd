import type { Plugin } from "vite";
export function staticEngineImports(): Plugin;
