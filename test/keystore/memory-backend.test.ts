import { MemoryBackend } from "../../src/core/keystore/memory-backend.js";
import { keystoreBehaviourSuite } from "./behaviour-suite.js";

keystoreBehaviourSuite("memory", {
  fresh: async () => new MemoryBackend(),
  reopen: (b) => b, // one process, one map: "reopening" is using it again
});
