/** A storage.session / storage.local stand-in for the composer's unit tests: one Map per area. */
export function storageArea() {
  const data = new Map<string, unknown>();
  return {
    async get(k: string) {
      return data.has(k) ? { [k]: data.get(k) } : {};
    },
    async set(items: Record<string, unknown>) {
      for (const [k, v] of Object.entries(items)) data.set(k, v);
    },
    async remove(k: string) {
      data.delete(k);
    },
  };
}
