// Text clean-up for news text, shared by training and serving so both see the same tokens.
// AG News (and other scraped feeds) carry HTML entities whose "&" was lost (`#39;`, ` quot;`),
// escaped HTML markup (`&lt;b&gt;...&lt;/b&gt;`), literal backslashes used as line breaks and
// runs of spaces. No npm entity decoder handles the ampersand-less forms, so this is by hand.
// Each pattern below matches from a fixed character ("&", "#", "<", a space) over one
// character class or a bounded name list, so no run is retried from many starts: the clean-up
// is linear in its input (the bounded-work rule, lib/bounds.ts).

/** Named entities seen in news feeds, with or without their leading "&". */
const NAMED_ENTITIES: Record<string, string> = {
  quot: '"',
  amp: "&",
  lt: "<",
  gt: ">",
  nbsp: " ",
  apos: "'",
  hellip: "…",
  mdash: "—",
  ndash: "–",
  lsquo: "‘",
  rsquo: "’",
  ldquo: "“",
  rdquo: "”",
};

/** Windows-1252 code points 128-159, which feeds put in numeric references (`#151;` = em dash). */
const CP1252: Record<number, string> = {
  128: "€",
  130: "‚",
  132: "„",
  133: "…",
  145: "‘",
  146: "’",
  147: "“",
  148: "”",
  150: "–",
  151: "—",
  153: "™",
};

// The ampersand-less forms come from an "&" that the feed turned into a space ("Sudan #39;s",
// "J amp;J"), so one space in front of them is eaten too.
const ENTITY_RE = new RegExp(
  `(?:&| ?)#(x[0-9a-f]+|\\d+);|&(${Object.keys(NAMED_ENTITIES).join("|")});|(?: |(?<![\\w&]))(${
    Object.keys(NAMED_ENTITIES).join("|")
  });`,
  "gi",
);

function decodeEntities(s: string): string {
  return s.replace(ENTITY_RE, (whole, num?: string, named?: string, bare?: string) => {
    if (num !== undefined) {
      const code = num[0] === "x" || num[0] === "X"
        ? parseInt(num.slice(1), 16)
        : parseInt(num, 10);
      if (code >= 128 && code <= 159) return CP1252[code] ?? " ";
      if (!Number.isFinite(code) || code <= 0 || code > 0x10ffff) return whole;
      return String.fromCodePoint(code);
    }
    const name = (named ?? bare ?? "").toLowerCase();
    return NAMED_ENTITIES[name] ?? whole;
  });
}

/**
 * Cleans raw news text: decodes HTML entities (also the ampersand-less `#39;`, `quot;`,
 * `#36;` forms of AG News), removes HTML tags (also escaped ones such as `&lt;b&gt;`),
 * turns literal backslash line breaks into spaces, and collapses whitespace.
 *
 * @example
 * ```ts
 * normalizeNewsText("Sudan #39;s rebels  quot;warn quot; &lt;b&gt;...&lt;/b&gt;");
 * // => `Sudan's rebels "warn" ...`
 * ```
 */
export function normalizeNewsText(s: string): string {
  // Entities, tags and escapes all need one of these; most text has none of them.
  if (!/[&;<\\]/.test(s)) return s.replace(/\s+/g, " ").trim();
  let t = s;
  // Markup arrives escaped (`&lt;A HREF=...&gt;`), so decode the brackets before stripping tags.
  t = t.replace(/&lt;/gi, "<").replace(/&gt;/gi, ">");
  t = t.replace(/<\/?[a-z][^<>]*>/gi, " ");
  t = decodeEntities(t);
  // `\$1.35` is an escaped dollar sign; any other backslash stood for a line break.
  t = t.replace(/\\(?=\$)/g, "").replace(/\\/g, " ");
  t = t.replace(/\s+/g, " ").trim();
  return t;
}
