import js from "@eslint/js";
import tseslint from "typescript-eslint";
import globals from "globals";

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "test/e2e/artifacts/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      "no-eval": "error",
      "no-implied-eval": "error",
      "no-new-func": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-explicit-any": "error",
    },
  },
  {
    // Experiment implementations run privileged in Thunderbird's parent process.
    files: ["src/experiments/**/*.js"],
    languageOptions: {
      sourceType: "script",
      globals: { ExtensionCommon: "readonly", ExtensionUtils: "readonly", ExtensionAPI: "readonly", Services: "readonly", ChromeUtils: "readonly", Components: "readonly", Cc: "readonly", Ci: "readonly", Cr: "readonly", Cu: "readonly", MailServices: "readonly" },
    },
    // Files may still name their globals in a /* global */ comment, and import timers.
    rules: { "no-redeclare": "off" },
  },
  {
    // The engine must stay free of browser and Thunderbird APIs.
    files: ["src/core/**/*.ts"],
    rules: {
      "no-restricted-globals": ["error", "browser", "messenger", "document", "window", "localStorage"],
    },
  },
);
