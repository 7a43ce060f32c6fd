/**
 * When to ask again for known correspondents' keys. One key per turn, the longest unchecked
 * first, and only once a key has gone unchecked for a while: the sources see a trickle of
 * single lookups rather than the whole address book at once.
 */
export const REFRESH_AFTER_MS = 7 * 24 * 60 * 60 * 1000;

export interface RefreshCandidate {
  id: string;
  fingerprint: string;
  emails: string[];
  /** ISO time of the last lookup for this key (any outcome); absent = never. */
  checkedAt?: string;
}

export function dueForRefresh<T extends RefreshCandidate>(candidates: readonly T[], now: Date, after = REFRESH_AFTER_MS): T | undefined {
  let best: T | undefined;
  let bestAt = Infinity;
  for (const c of candidates) {
    if (!c.emails.length) continue;
    const at = c.checkedAt ? Date.parse(c.checkedAt) : 0;
    const t = Number.isNaN(at) ? 0 : at;
    if (now.getTime() - t < after) continue;
    if (t < bestAt) {
      best = c;
      bestAt = t;
    }
  }
  return best;
}
