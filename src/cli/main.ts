// Placeholder entry so the build works; the real CLI lands with the foundation issue.
process.stdout.write("sealbird\n");
