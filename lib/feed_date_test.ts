import assert from "node:assert/strict";
import { parseFeedDate } from "./feed_date.ts";

Deno.test("parseFeedDate() reads RFC 3339 with a zone, in UTC", () => {
  assert.equal(parseFeedDate("2017-03-27T09:30:00Z"), "2017-03-27T09:30:00.000Z");
  assert.equal(parseFeedDate("2017-03-27T09:30:00+02:00"), "2017-03-27T07:30:00.000Z");
  assert.equal(parseFeedDate("2017-03-27t09:30:00.123456-05:30"), "2017-03-27T15:00:00.123Z");
  assert.equal(parseFeedDate("2017-03-27 09:30:00+0200"), "2017-03-27T07:30:00.000Z");
});

Deno.test("parseFeedDate() reads a date-time without a zone as UTC", () => {
  assert.equal(parseFeedDate("2017-03-27T00:00:00"), "2017-03-27T00:00:00.000Z");
  assert.equal(parseFeedDate("2017-03-27T23:59"), "2017-03-27T23:59:00.000Z");
});

Deno.test("parseFeedDate() reads a date alone as midnight UTC", () => {
  assert.equal(parseFeedDate("2013-06-13"), "2013-06-13T00:00:00.000Z");
  assert.equal(parseFeedDate("2024-02-29"), "2024-02-29T00:00:00.000Z");
});

Deno.test("parseFeedDate() reads RFC 2822 as RSS pubDate writes it", () => {
  assert.equal(parseFeedDate("Mon, 27 Mar 2017 09:30:00 +0200"), "2017-03-27T07:30:00.000Z");
  assert.equal(parseFeedDate("27 Mar 2017 09:30 GMT"), "2017-03-27T09:30:00.000Z");
  assert.equal(parseFeedDate("Tue, 5 Nov 2024 18:00:00 EST"), "2024-11-05T23:00:00.000Z");
  assert.equal(parseFeedDate("Sun, 06 Dec 26 08:00:00 -0000"), "2026-12-06T08:00:00.000Z");
  assert.equal(parseFeedDate("Sat, 01 Jan 2000 00:00:00"), "2000-01-01T00:00:00.000Z");
});

Deno.test("parseFeedDate() refuses days and times that do not exist", () => {
  for (
    const bad of [
      "2017-02-29",
      "2017-04-31T00:00:00Z",
      "2017-13-01",
      "2017-00-10",
      "2017-03-27T24:00:00Z",
      "2017-03-27T12:60:00Z",
      "2017-03-27T12:00:61Z",
      "2017-03-27T12:00:00+24:00",
      "2017-03-27T12:00:00+02:75",
      "32 Mar 2017 09:30:00 GMT",
      "27 Foo 2017 09:30:00 GMT",
      "27 Mar 2017 09:30:00 XYZ",
    ]
  ) {
    assert.equal(parseFeedDate(bad), null, bad);
  }
});

Deno.test("parseFeedDate() refuses what is no date, and long input at once", () => {
  for (
    const bad of ["", "yesterday", "2017", "2017-03", "1490572800", "2017-03-27T", "27/03/2017"]
  ) {
    assert.equal(parseFeedDate(bad), null, bad);
  }
  assert.equal(parseFeedDate("2017-03-27" + " ".repeat(100)), null);
  assert.equal(parseFeedDate("1".repeat(100_000)), null);
});

Deno.test("parseFeedDate() reads the years 0-99 as written, not as 1900-1999", () => {
  assert.equal(parseFeedDate("0001-01-01T00:00:00Z"), "0001-01-01T00:00:00.000Z");
  assert.equal(parseFeedDate("0099-12-31"), "0099-12-31T00:00:00.000Z");
  assert.equal(parseFeedDate("0004-02-29"), "0004-02-29T00:00:00.000Z");
  assert.equal(parseFeedDate("0100-02-29"), null);
});
