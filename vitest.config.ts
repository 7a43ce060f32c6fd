import { defineConfig } from "vitest/config";
import { svelte } from "@sveltejs/vite-plugin-svelte";
import { svelteTesting } from "@testing-library/svelte/vite";

const shared = {
  testTimeout: 60_000,
  hookTimeout: 60_000,
  pool: "forks" as const,
};

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          ...shared,
          name: "node",
          globalSetup: ["test/global-setup.ts"],
          include: ["test/**/*.test.ts"],
          exclude: ["test/e2e/**", "test/ui/**", "node_modules/**"],
        },
      },
      {
        // Svelte component tests (jsdom) and the options background handlers (node, per file).
        plugins: [svelte({ compilerOptions: { fragments: "tree" } }), svelteTesting()],
        test: {
          ...shared,
          name: "ui",
          include: ["test/ui/**/*.test.ts"],
          environment: "jsdom",
        },
      },
    ],
  },
});
