/** The user's Thunderbird identities (name and address), via the identities API (accountsRead). */
import type { IdentityView } from "./types.js";

export async function thunderbirdIdentities(): Promise<IdentityView[]> {
  const seen = new Set<string>();
  const out: IdentityView[] = [];
  for (const i of await messenger.identities.list()) {
    const email = i.email?.trim().toLowerCase();
    if (!email || seen.has(email)) continue;
    seen.add(email);
    out.push({ email, name: i.name ?? "" });
  }
  return out.sort((a, b) => a.email.localeCompare(b.email));
}

/** The identity addresses, or null when they cannot be read (then no warning is given). */
export async function identityEmails(): Promise<Set<string> | null> {
  try {
    return new Set((await thunderbirdIdentities()).map((i) => i.email));
  } catch {
    return null;
  }
}
