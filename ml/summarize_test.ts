// ml/summarize_test.ts — tests for the extractive summarizer and the abstractive loader.

import assert from "node:assert/strict";
import {
  loadAbstractiveSummarizer,
  summarize,
  warmUpArticle,
  warmUpSummarizer,
} from "./summarize.ts";
import { countWords, splitSentences } from "./sentences.ts";

const TITLE = "Ad sales boost Time Warner profit";
const ARTICLE = [
  "Quarterly profits at US media giant TimeWarner jumped 76% to $1.13bn (£600m) for the three " +
  "months to December, from $639m year-earlier.",
  "",
  "The firm, which is now one of the biggest investors in Google, benefited from sales of " +
  "high-speed internet connections and higher advert sales. TimeWarner said fourth quarter " +
  "sales rose 2% to $11.1bn from $10.9bn. Its profits were buoyed by one-off gains which " +
  "offset a profit dip at Warner Bros, and less users for AOL.",
  "",
  "Time Warner said on Friday that it now owns 8% of search-engine Google. But its own " +
  "internet business, AOL, had has mixed fortunes. It lost 464,000 subscribers in the fourth " +
  "quarter profits were lower than in the preceding three quarters.",
  "",
  "The weather in New York was mild on Friday.",
].join("\n");

Deno.test("summarize() defaults to three sentences in article order", () => {
  const result = summarize({ text: ARTICLE, title: TITLE });
  assert.equal(result.method, "extractive");
  assert.equal(result.sentences.length, 3);
  const all = splitSentences(ARTICLE);
  const positions = result.sentences.map((s) => all.indexOf(s));
  assert.ok(positions.every((p) => p >= 0), "sentences come from the article");
  assert.deepEqual(positions, [...positions].sort((a, b) => a - b));
  assert.equal(result.summary, result.sentences.join(" "));
});

Deno.test("summarize() ranks on-topic sentences above an off-topic one", () => {
  const { sentences } = summarize({ text: ARTICLE, title: TITLE, maxSentences: 4 });
  assert.ok(!sentences.includes("The weather in New York was mild on Friday."));
});

Deno.test("summarize() stops once the word budget is reached, the last sentence crossing it", () => {
  const { sentences } = summarize({ text: ARTICLE, title: TITLE, maxWords: 30 });
  const words = sentences.map(countWords);
  const total = words.reduce((a, b) => a + b, 0);
  assert.ok(total >= 30, "budget reached");
  assert.ok(total - Math.min(...words) < 30, "no sentence beyond the one that crossed it");
});

Deno.test("summarize() honours maxSentences together with maxWords", () => {
  const { sentences } = summarize({ text: ARTICLE, maxWords: 1000, maxSentences: 2 });
  assert.equal(sentences.length, 2);
});

Deno.test("summarize() turns ratio into a share of the article's words", () => {
  const articleWords = countWords(ARTICLE);
  const { sentences } = summarize({ text: ARTICLE, ratio: 0.5 });
  const total = sentences.reduce((a, s) => a + countWords(s), 0);
  assert.ok(total >= articleWords / 2);
  assert.ok(sentences.length < splitSentences(ARTICLE).length);
  assert.equal(
    summarize({ text: ARTICLE, ratio: 1 }).sentences.length,
    splitSentences(ARTICLE).length,
  );
});

Deno.test("summarize() drops a near-duplicate sentence (redundancy control)", () => {
  const text = "Shares in Acme rose 10% after record profits. " +
    "Shares in Acme rose 10% after record profits, traders said. " +
    "The chief executive will step down in June after a decade in charge. " +
    "Acme profits were driven by strong sales of its new phones in Asia.";
  const { sentences } = summarize({ text, title: "Acme profits", maxSentences: 2 });
  const dupes = sentences.filter((s) => s.startsWith("Shares in Acme rose 10%"));
  assert.equal(dupes.length, 1);
});

Deno.test("summarize() returns short text without boundaries whole and cuts long text", () => {
  assert.deepEqual(summarize({ text: "breaking news no punctuation" }).sentences, [
    "breaking news no punctuation",
  ]);
  const long = Array.from({ length: 50 }, (_, i) => `w${i}`).join(" ");
  const cut = summarize({ text: long, maxWords: 10 });
  assert.equal(cut.summary, `${long.split(" ").slice(0, 10).join(" ")}…`);
});

Deno.test("summarize() drops dangling punctuation from the last word of a cut text", () => {
  const cut = summarize({ text: "rates rose, prices fell; markets — steady", maxWords: 2 });
  assert.equal(cut.summary, "rates rose…");
  assert.equal(summarize({ text: "a b, c d", maxWords: 2 }).summary, "a b…");
});

Deno.test("summarize() cuts a 100,000-character word of commas and keeps its inner commas", () => {
  // `/[,;:–—-]+$/` retried from every comma of a run not reaching the word's end: minutes.
  const word = ",".repeat(99_990) + "x";
  assert.equal(summarize({ text: `${word} y z`, maxWords: 1 }).summary, `${word}…`);
  assert.equal(summarize({ text: `${word}, y z`, maxWords: 1 }).summary, `${word}…`);
});

Deno.test("summarize() answers for hostile text: no spaces, 'A.' repeated, odd unicode", () => {
  const texts = [
    "A.".repeat(50_000),
    "A. ".repeat(33_000),
    "a".repeat(100_000) + "!",
    "Mr.".repeat(33_000),
    "😀. ".repeat(25_000),
    "e\u0301. ".repeat(33_000),
    "\u202e\u05d0. ".repeat(25_000),
  ];
  for (const text of texts) {
    const result = summarize({ text, title: text.slice(0, 1_000), maxSentences: 3 });
    assert.ok(result.sentences.length >= 1 && result.sentences.length <= 3);
    assert.ok(result.sentences.every((s) => text.includes(s)));
  }
});

Deno.test("summarize() gives an empty summary for empty text", () => {
  assert.deepEqual(summarize({ text: "  \n " }), {
    summary: "",
    sentences: [],
    method: "extractive",
  });
});

Deno.test("summarize() rejects budgets out of range", () => {
  assert.throws(() => summarize({ text: ARTICLE, maxSentences: 0 }), RangeError);
  assert.throws(() => summarize({ text: ARTICLE, maxSentences: 1.5 }), RangeError);
  assert.throws(() => summarize({ text: ARTICLE, maxWords: 0 }), RangeError);
  assert.throws(() => summarize({ text: ARTICLE, ratio: 0 }), RangeError);
  assert.throws(() => summarize({ text: ARTICLE, ratio: 1.5 }), RangeError);
});

Deno.test("loadAbstractiveSummarizer() fails clearly for a missing model directory", async () => {
  const dir = `${await Deno.makeTempDir()}/no-such-model`;
  await assert.rejects(
    () => loadAbstractiveSummarizer({ kind: "dir", dir }),
    (e: unknown) => {
      assert.ok(e instanceof Error);
      assert.match(e.message, /Cannot load summarization model/);
      assert.ok(e.message.includes(dir), "names the model");
      assert.match(e.message, /not found|No such file/i);
      return true;
    },
  );
});

Deno.test("loadAbstractiveSummarizer() fails clearly for a directory without a model", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await assert.rejects(
      () => loadAbstractiveSummarizer({ kind: "dir", dir }),
      (e: unknown) => {
        assert.ok(e instanceof Error);
        assert.ok(e.message.startsWith(`Cannot load summarization model "${dir}": `));
        return true;
      },
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadAbstractiveSummarizer() asks the hub only for the pinned revision and fails clearly without weights", async () => {
  const { env } = await import("@huggingface/transformers");
  const saved = { remoteHost: env.remoteHost, allowRemoteModels: env.allowRemoteModels };
  const requests: string[] = [];
  // The pinned revision has a config (but no weights); `main` has nothing.
  const config = JSON.stringify({
    model_type: "bart",
    architectures: ["BartForConditionalGeneration"],
  });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    const path = new URL(req.url).pathname;
    requests.push(path);
    if (path === "/acme/bart-news/resolve/0123abc/config.json") {
      return new Response(config, { headers: { "content-type": "application/json" } });
    }
    return new Response("not found", { status: 404 });
  });
  const cacheDir = await Deno.makeTempDir();
  try {
    await assert.rejects(
      () =>
        loadAbstractiveSummarizer({
          kind: "hub",
          repo: "acme/bart-news",
          revision: "0123abc",
          endpoint: `http://127.0.0.1:${server.addr.port}`,
          cacheDir,
        }),
      (e: unknown) => {
        assert.ok(e instanceof Error);
        assert.ok(
          e.message.startsWith(`Cannot load summarization model "acme/bart-news@0123abc": `),
        );
        return true;
      },
    );
    assert.ok(requests.length > 0);
    const unpinned = requests.filter((p) => !p.startsWith("/acme/bart-news/resolve/0123abc/"));
    assert.deepEqual(unpinned, [], "every file is asked for at the pinned revision");
  } finally {
    env.remoteHost = saved.remoteHost;
    env.allowRemoteModels = saved.allowRemoteModels;
    await server.shutdown();
    await Deno.remove(cacheDir, { recursive: true });
  }
});

Deno.test("the summarizer warms up on an article as long as the longest it meets", () => {
  // Over a hundred sentences: the similarity graph of a 10 KB article, not a headline's.
  assert.equal(splitSentences(warmUpArticle()).length, 120);
  warmUpSummarizer();
  assert.equal(summarize({ text: warmUpArticle(), maxSentences: 3 }).sentences.length, 3);
});
