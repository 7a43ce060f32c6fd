/**
 * Which tab a popup page speaks about. As a toolbar popup: the active tab of its window.
 * Opened as a page of its own with ?tabId=N (the window Sealbird opens when a send was
 * stopped, a larger details view, the e2e suite): tab N.
 */
declare const browser: { tabs: { query(q: object): Promise<Array<{ id: number }>> } };

export async function tabOfPage(): Promise<number | null> {
  const asked = new URLSearchParams(location.search).get("tabId");
  if (asked !== null && /^\d+$/.test(asked)) return Number(asked);
  const [tab] = await browser.tabs.query({ active: true, currentWindow: true });
  return tab?.id ?? null;
}
