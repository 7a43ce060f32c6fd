/**
 * RFC 5322 date-time (3.3, with the obsolete forms of 4.3): "Mon, 23 Nov 2026 09:00:00 +0000".
 * Parsed here rather than with Date.parse, whose handling of non-ISO strings is left to each
 * JavaScript engine: the verdict on a signature's date must not depend on where it runs.
 */

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

/** Obsolete zone names (RFC 5322 4.3), in minutes east of UTC; military letters count as -0000. */
const ZONES: Record<string, number> = { ut: 0, gmt: 0, z: 0, est: -300, edt: -240, cst: -360, cdt: -300, mst: -420, mdt: -360, pst: -480, pdt: -420 };

const DATE_TIME =
  /^\s*(?:[a-z]{3}\s*,\s*)?(\d{1,2})\s+([a-z]{3})\s+(\d{2,4})\s+(\d{1,2})\s*:\s*(\d{2})(?:\s*:\s*(\d{2}))?\s*([+-]\d{4}|[a-z]{1,5})?\s*$/i;

/** The instant a Date field names, or undefined when it is not an RFC 5322 date-time. */
export function parseRfc5322Date(value: string): Date | undefined {
  const m = DATE_TIME.exec(value.replace(/\([^()]*\)/g, " "));
  if (!m) return undefined;
  const day = Number(m[1]);
  const month = MONTHS.indexOf(m[2]!.toLowerCase());
  let year = Number(m[3]);
  if (m[3]!.length === 2) year += year < 50 ? 2000 : 1900;
  else if (m[3]!.length === 3) year += 1900;
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = m[6] ? Number(m[6]) : 0;
  if (month < 0 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return undefined;
  const zone = m[7] ?? "-0000";
  let offset: number;
  if (/^[+-]\d{4}$/.test(zone)) {
    const sign = zone[0] === "-" ? -1 : 1;
    offset = sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3, 5)));
  } else {
    offset = ZONES[zone.toLowerCase()] ?? 0;
  }
  const utc = Date.UTC(year, month, day, hour, minute, Math.min(second, 59)) - offset * 60_000;
  const d = new Date(utc);
  // 31 Feb and the like roll over in Date.UTC: such a field is not a date.
  return new Date(Date.UTC(year, month, day)).getUTCDate() === day ? d : undefined;
}
