import type { Plugin } from "vite";
export const OPENPGP_BROWSER: string;
export function openpgpWasmCfb(): Plugin;
export function patchOpenpgp(code: string): string | null;
