/**
 * A minimal `messenger` for running the options background handlers in Node: storage areas
 * in memory and a fixed list of Thunderbird identities. Import before the handler modules.
 */
import "fake-indexeddb/auto";

export const identities: Array<{ email: string; name: string }> = [{ email: "alice@example.org", name: "Alice" }];

function area(): messenger.storage.Area & { data: Map<string, unknown> } {
  const data = new Map<string, unknown>();
  return {
    data,
    async get(keys?: string | string[] | null) {
      const list = keys == null ? [...data.keys()] : Array.isArray(keys) ? keys : [keys];
      return Object.fromEntries(list.filter((k) => data.has(k)).map((k) => [k, data.get(k)]));
    },
    async set(items: Record<string, unknown>) {
      for (const [k, v] of Object.entries(items)) data.set(k, v);
    },
    async remove(keys: string | string[]) {
      for (const k of Array.isArray(keys) ? keys : [keys]) data.delete(k);
    },
  };
}

export const session = area();
export const local = area();

(globalThis as unknown as { messenger: unknown }).messenger = {
  storage: { session, local },
  identities: { list: async () => identities.map((i) => ({ ...i })) },
};
