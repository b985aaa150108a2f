/**
 * Dates as news feeds write them: RFC 3339 with or without a zone (none = UTC), with
 * a `T` or a space, a date alone (midnight UTC), and RFC 2822 as in an RSS `pubDate`
 * (`Tue, 27 Mar 2017 09:30:00 +0200`, obsolete zone names included). Parsed field by
 * field and checked (no day 31 in April, no hour 24), then handed on as UTC ISO 8601.
 *
 * `Date.parse` is not used for the parsing: it accepts much more than these forms,
 * differently by engine, and reads a zone-less date-time as local time.
 */

/** Longer input is refused before any matching: no feed date needs more. */
export const MAX_FEED_DATE_CHARS = 64;

// Each pattern is anchored and has no nested quantifier: matching is linear in the
// (already capped) length.
const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?)?$/;
const RFC2822 =
  /^(?:[A-Za-z]{3},? ?)?(\d{1,2}) ([A-Za-z]{3}) (\d{4}|\d{2}) (\d{2}):(\d{2})(?::(\d{2}))?(?: ([+-])(\d{2})(\d{2})| ([A-Za-z]{1,3}))?$/;

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

/** RFC 2822's obsolete zone names, in minutes east of UTC. */
const ZONES: Record<string, number> = {
  ut: 0,
  utc: 0,
  gmt: 0,
  z: 0,
  est: -300,
  edt: -240,
  cst: -360,
  cdt: -300,
  mst: -420,
  mdt: -360,
  pst: -480,
  pdt: -420,
};

/**
 * Milliseconds since the epoch of a UTC date and time, with the year taken as written:
 * `Date.UTC` alone reads the years 0–99 as 1900–1999, which would let `0001-01-01` pass
 * the year range check as 1901.
 */
function utcMillis(
  year: number,
  monthIndex: number,
  day: number,
  time: [number, number, number, number] = [0, 0, 0, 0],
): number {
  const date = new Date(Date.UTC(2000, monthIndex, day, ...time));
  date.setUTCFullYear(year, monthIndex, day);
  return date.getTime();
}

function daysIn(year: number, month: number): number {
  return new Date(utcMillis(year, month, 0)).getUTCDate();
}

interface Fields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millis: number;
  /** Minutes east of UTC. */
  offset: number;
}

function toIso(f: Fields): string | null {
  if (f.month < 1 || f.month > 12 || f.day < 1 || f.day > daysIn(f.year, f.month)) return null;
  if (f.hour > 23 || f.minute > 59 || f.second > 59) return null;
  if (Math.abs(f.offset) > 23 * 60 + 59) return null;
  const utc = utcMillis(f.year, f.month - 1, f.day, [f.hour, f.minute, f.second, f.millis]) -
    f.offset * 60_000;
  const date = new Date(utc);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

function fromRfc3339(m: RegExpExecArray): string | null {
  const [, y, mo, d, h, mi, s, frac, z, sign, oh, om] = m;
  const offsetMinutes = sign ? Number(oh) * 60 + Number(om) : 0;
  if (sign && Number(om) > 59) return null;
  return toIso({
    year: Number(y),
    month: Number(mo),
    day: Number(d),
    hour: Number(h ?? 0),
    minute: Number(mi ?? 0),
    second: Number(s ?? 0),
    millis: frac ? Math.floor(Number(`0.${frac}`) * 1000) : 0,
    offset: z ? 0 : sign === "-" ? -offsetMinutes : offsetMinutes,
  });
}

function fromRfc2822(m: RegExpExecArray): string | null {
  const [, d, mon, y, h, mi, s, sign, oh, om, zone] = m;
  const month = MONTHS.indexOf(mon.toLowerCase()) + 1;
  if (month === 0) return null;
  let offset = 0;
  if (sign) {
    if (Number(om) > 59) return null;
    offset = (sign === "-" ? -1 : 1) * (Number(oh) * 60 + Number(om));
  } else if (zone !== undefined) {
    const known = ZONES[zone.toLowerCase()];
    if (known === undefined) return null;
    offset = known;
  }
  // RFC 2822 §4.3: a two-digit year is 19xx from 50, else 20xx.
  const year = y.length === 2 ? (Number(y) >= 50 ? 1900 : 2000) + Number(y) : Number(y);
  return toIso({
    year,
    month,
    day: Number(d),
    hour: Number(h),
    minute: Number(mi),
    second: Number(s ?? 0),
    millis: 0,
    offset,
  });
}

/**
 * The UTC ISO 8601 form of a date written as feeds write it, or null when it is none
 * of the accepted forms or names a day or time that does not exist.
 *
 * @example
 * ```ts
 * parseFeedDate("2017-03-27T00:00:00"); // => "2017-03-27T00:00:00.000Z"
 * parseFeedDate("2013-06-13"); // => "2013-06-13T00:00:00.000Z"
 * parseFeedDate("Mon, 27 Mar 2017 09:30:00 +0200"); // => "2017-03-27T07:30:00.000Z"
 * parseFeedDate("yesterday"); // => null
 * ```
 */
export function parseFeedDate(text: string): string | null {
  if (text.length > MAX_FEED_DATE_CHARS) return null;
  const s = text.trim();
  const iso = RFC3339.exec(s);
  if (iso) return fromRfc3339(iso);
  const rfc2822 = RFC2822.exec(s);
  return rfc2822 ? fromRfc2822(rfc2822) : null;
}
