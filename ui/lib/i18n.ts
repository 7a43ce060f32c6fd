// Every user-visible string comes from _locales via browser.i18n; components never hard-code text.
declare const browser: { i18n: { getMessage(key: string, subs?: string | string[]): string } };

export function t(key: string, subs?: string | string[]): string {
  const s = browser.i18n.getMessage(key, subs);
  // A missing key shows itself rather than an empty label, so it is noticed (and the locale
  // check test fails on it).
  return s || key;
}
