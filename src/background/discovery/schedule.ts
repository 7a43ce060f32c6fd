/**
 * The slow refresh of known keys: one alarm at a random 20–40 minutes, one key per turn
 * (DiscoveryService.refreshDue), then the next alarm. Alarms survive the event page's
 * suspension; the random spacing keeps the requests from forming a recognisable pattern.
 */
import type { DiscoveryService } from "./service.js";

export const REFRESH_ALARM = "sealbird-key-refresh";

function schedule(): void {
  messenger.alarms.create(REFRESH_ALARM, { delayInMinutes: 20 + Math.random() * 20 });
}

/** Call at the top level of the background (the alarm listener must exist when the page wakes). */
export function startRefreshSchedule(discovery: DiscoveryService): void {
  messenger.alarms.onAlarm.addListener((alarm) => {
    if (alarm.name !== REFRESH_ALARM) return;
    void discovery
      .refreshDue()
      .catch((e: unknown) => console.warn("Sealbird: key refresh failed", e))
      .finally(schedule);
  });
  void messenger.alarms.get(REFRESH_ALARM).then((a) => (a ? undefined : schedule()));
}
