import assert from "node:assert/strict";
import { claimNext, decide } from "../db/review/mod.ts";
import { LABELS, registerTestModel, seedQueue } from "../db/review/test_helpers.ts";
import { pgliteTestDb } from "../db/test_db.ts";
import { CSRF_HEADER } from "../lib/session.ts";
import { safeNext } from "./console.ts";
import { scriptSafeJson } from "./pages/Island.tsx";
import { ALICE_KEY, postJson, testApp } from "./test_app.ts";

const ORIGIN = "http://localhost";
type App = ReturnType<typeof testApp>["app"];

/** Cookie header value from a response's Set-Cookie headers (name=value pairs). */
function cookiesOf(res: Response): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(";");
    const i = pair.indexOf("=");
    out.set(pair.slice(0, i), pair.slice(i + 1));
  }
  return out;
}

function form(fields: Record<string, string>, headers: Record<string, string> = {}): RequestInit {
  return {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      origin: ORIGIN,
      "sec-fetch-site": "same-origin",
      ...headers,
    },
    body: new URLSearchParams(fields).toString(),
  };
}

/** Signs in through the form; returns the session cookie header and the CSRF token. */
async function signIn(app: App, key = ALICE_KEY): Promise<{ cookie: string; csrf: string }> {
  const page = await app.request("/login");
  const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1];
  const loginCookie = cookiesOf(page).get("ni_login")!;
  const res = await app.request(
    "/login",
    form({ _csrf: token, key, next: "/" }, { cookie: `ni_login=${loginCookie}` }),
  );
  assert.equal(res.status, 303);
  const cookie = `ni_session=${cookiesOf(res).get("ni_session")}`;
  const home = await app.request("/review", { headers: { cookie } });
  const csrf = /<meta name="csrf-token" content="([^"]+)"/.exec(await home.text())![1];
  return { cookie, csrf };
}

Deno.test("console", async (t) => {
  const { db, reset, close } = await pgliteTestDb();
  const { app } = testApp(db);
  const fresh = async (n = 4) => {
    await reset();
    await registerTestModel(db);
    await seedQueue(db, n);
  };
  try {
    await t.step("pages redirect to /login?next= without a session", async () => {
      for (
        const path of ["/", "/review", "/queue?label=sport", "/articles", "/models", "/trends"]
      ) {
        const res = await app.request(path);
        assert.equal(res.status, 302, path);
        assert.equal(res.headers.get("location"), `/login?next=${encodeURIComponent(path)}`);
      }
    });

    await t.step("safeNext() keeps local paths only", () => {
      assert.equal(safeNext("/queue?label=sport"), "/queue?label=sport");
      assert.equal(safeNext("//evil.example/x"), "/");
      assert.equal(safeNext("/\\evil.example"), "/");
      assert.equal(safeNext("https://evil.example/"), "/");
      assert.equal(safeNext("javascript:alert(1)"), "/");
      assert.equal(safeNext("/login"), "/");
      assert.equal(safeNext(undefined), "/");
    });

    await t.step(
      "sign-in sets an HttpOnly, SameSite=Strict, Path=/ cookie without the key",
      async () => {
        const page = await app.request("/login?next=%2Fqueue");
        assert.equal(page.status, 200);
        assert.match(page.headers.get("content-type")!, /text\/html/);
        const body = await page.text();
        const token = /name="_csrf" value="([^"]+)"/.exec(body)![1];
        const res = await app.request(
          "/login",
          form(
            { _csrf: token, key: ALICE_KEY, next: "/queue" },
            { cookie: `ni_login=${cookiesOf(page).get("ni_login")}` },
          ),
        );
        assert.equal(res.status, 303);
        assert.equal(res.headers.get("location"), "/queue");
        const line = res.headers.getSetCookie().find((l) => l.startsWith("ni_session="))!;
        assert.match(line, /HttpOnly/);
        assert.match(line, /SameSite=Strict/);
        assert.match(line, /Path=\//);
        assert.doesNotMatch(line, /Secure/);
        assert.ok(!line.includes(ALICE_KEY));
      },
    );

    await t.step("sign-in behind https sets Secure", async () => {
      const page = await app.request("https://console.example/login");
      const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1];
      const res = await app.request(
        "https://console.example/login",
        form({ _csrf: token, key: ALICE_KEY }, {
          cookie: `ni_login=${cookiesOf(page).get("ni_login")}`,
          origin: "https://console.example",
        }),
      );
      assert.equal(res.status, 303);
      const line = res.headers.getSetCookie().find((l) => l.startsWith("ni_session="))!;
      assert.match(line, /Secure/);
    });

    await t.step("a bad key fails with 401 and no session", async () => {
      const page = await app.request("/login");
      const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1];
      const res = await app.request(
        "/login",
        form({ _csrf: token, key: "not-a-real-key" }, {
          cookie: `ni_login=${cookiesOf(page).get("ni_login")}`,
        }),
      );
      assert.equal(res.status, 401);
      assert.match(res.headers.get("content-type")!, /text\/html/);
      assert.match(await res.text(), /not valid/);
      assert.ok(!cookiesOf(res).has("ni_session"));
    });

    await t.step("a sign-in post without the form token or from another site → 403", async () => {
      const noToken = await app.request("/login", form({ key: ALICE_KEY }));
      assert.equal(noToken.status, 403);
      assert.ok(!cookiesOf(noToken).has("ni_session"));
      const page = await app.request("/login");
      const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1];
      const crossSite = await app.request(
        "/login",
        form({ _csrf: token, key: ALICE_KEY }, {
          cookie: `ni_login=${cookiesOf(page).get("ni_login")}`,
          origin: "https://evil.example",
          "sec-fetch-site": "cross-site",
        }),
      );
      assert.equal(crossSite.status, 403);
      assert.ok(!cookiesOf(crossSite).has("ni_session"));
    });

    await t.step("signed-in pages render with a strict CSP and the CSRF meta tag", async () => {
      await fresh();
      const { cookie, csrf } = await signIn(app);
      for (const path of ["/", "/review", "/queue", "/articles", "/models", "/trends"]) {
        const res = await app.request(path, { headers: { cookie } });
        assert.equal(res.status, 200, path);
        assert.match(res.headers.get("content-type")!, /text\/html/);
        const csp = res.headers.get("content-security-policy")!;
        assert.match(csp, /script-src 'self'(;|$)/);
        assert.doesNotMatch(csp, /unsafe-inline/);
        assert.equal(res.headers.get("cache-control"), "no-store");
        const html = await res.text();
        assert.ok(html.includes(`content="${csrf}"`), path);
        assert.doesNotMatch(html, /<script>|<script type="module">[^<]/);
      }
    });

    await t.step("cookie-authenticated API writes need the CSRF token and our origin", async () => {
      await fresh();
      const { cookie, csrf } = await signIn(app);
      const post = (headers: Record<string, string>) =>
        app.request("/v1/review/claim", {
          method: "POST",
          headers: { "content-type": "application/json", cookie, ...headers },
          body: "{}",
        });
      const none = await post({});
      assert.equal(none.status, 403);
      assert.match(none.headers.get("content-type")!, /application\/json/);
      assert.equal((await none.json()).error.code, "csrfFailed");
      assert.equal((await post({ [CSRF_HEADER]: "wrong" })).status, 403);
      const crossSite = await post({ [CSRF_HEADER]: csrf, origin: "https://evil.example" });
      assert.equal(crossSite.status, 403);
      assert.equal((await crossSite.json()).error.code, "crossSiteRequest");
      assert.equal(
        (await post({ [CSRF_HEADER]: csrf, "sec-fetch-site": "cross-site" })).status,
        403,
      );
      const ok = await post({ [CSRF_HEADER]: csrf, origin: ORIGIN });
      assert.equal(ok.status, 200);
      const [item] = (await ok.json()).items;
      assert.equal(item.leaseHolder, "alice");
      // Reads with the cookie need no token; a key still works without a cookie.
      assert.equal((await app.request("/v1/review/claims", { headers: { cookie } })).status, 200);
      assert.equal((await app.request("/v1/review/claim", postJson({}))).status, 200);
    });

    await t.step("form posts without the token, cross-site, or replayed → 403", async () => {
      await fresh();
      const { cookie, csrf } = await signIn(app);
      const bulk = (fields: Record<string, string>, headers: Record<string, string> = {}) =>
        app.request("/queue/bulk-accept", form(fields, { cookie, ...headers }));
      const missing = await bulk({ label: "sport" });
      assert.equal(missing.status, 403);
      assert.match(missing.headers.get("content-type")!, /text\/html/);
      assert.equal((await bulk({ label: "sport", _csrf: "forged" })).status, 403);
      const crossSite = await bulk({ label: "sport", _csrf: csrf }, {
        origin: "https://evil.example",
        "sec-fetch-site": "cross-site",
      });
      assert.equal(crossSite.status, 403);
      // The token of an ended session does not work with a new one.
      const again = await signIn(app);
      const replayed = await app.request(
        "/queue/bulk-accept",
        form({ label: "sport", _csrf: csrf, confirm: "yes" }, { cookie: again.cookie }),
      );
      assert.equal(replayed.status, 403);
      const stats = await (await app.request("/v1/review/stats")).json();
      assert.equal(stats.byStatus.done, 0);
    });

    await t.step("bulk accept asks for confirmation, then accepts through the API", async () => {
      await fresh(6);
      const { cookie, csrf } = await signIn(app);
      const ask = await app.request(
        "/queue/bulk-accept",
        form({ label: "sport", _csrf: csrf }, { cookie }),
      );
      assert.equal(ask.status, 200);
      const page = await ask.text();
      assert.match(page, /2 open items match label sport/);
      assert.match(page, /name="confirm" value="yes"/);
      assert.equal((await (await app.request("/v1/review/stats")).json()).byStatus.done, 0);
      const done = await app.request(
        "/queue/bulk-accept",
        form({ label: "sport", _csrf: csrf, confirm: "yes" }, { cookie }),
      );
      assert.equal(done.status, 303);
      assert.equal(done.headers.get("location"), "/queue?done=bulk-accepted&n=2");
      const stats = await (await app.request("/v1/review/stats")).json();
      assert.equal(stats.byStatus.done, 2);
      assert.equal(stats.byReviewer[0].reviewer, "alice");
      const queue = await (await app.request("/queue?done=bulk-accepted&n=2", {
        headers: { cookie },
      })).text();
      assert.match(queue, /Accepted 2 items/);
    });

    await t.step("logout needs the token and clears the cookie", async () => {
      const { cookie, csrf } = await signIn(app);
      const forged = await app.request("/logout", form({}, { cookie }));
      assert.equal(forged.status, 403);
      const res = await app.request("/logout", form({ _csrf: csrf }, { cookie }));
      assert.equal(res.status, 303);
      assert.equal(res.headers.get("location"), "/login?done=signed-out");
      const line = res.headers.getSetCookie().find((l) => l.startsWith("ni_session="))!;
      assert.match(line, /Max-Age=0/);
      assert.equal(
        (await app.request("/queue", { headers: { cookie: "ni_session=" } })).status,
        302,
      );
      // A copy of the signed-out cookie is refused too, by the pages and the API.
      const page = await app.request("/queue", { headers: { cookie } });
      assert.equal(page.status, 302);
      assert.match(page.headers.get("location")!, /^\/login/);
      const api = await app.request("/v1/review/claim", {
        method: "POST",
        headers: { cookie, "x-csrf-token": csrf, origin: "http://localhost" },
      });
      assert.equal(api.status, 401);
      // Other sessions go on.
      const other = await signIn(app);
      assert.equal(
        (await app.request("/queue", { headers: { cookie: other.cookie } })).status,
        200,
      );
    });

    await t.step("a <script> payload in an article renders as text", async () => {
      await reset();
      await registerTestModel(db);
      const payload = `<script>alert("x")</script><img src=x onerror=alert(1)>`;
      const res = await app.request(
        "/v1/articles",
        postJson({ title: payload, body: `Body ${payload}`, source: "</script><b>src" }),
      );
      assert.equal(res.status, 201);
      const id = (await res.json()).items[0].id;
      const { cookie } = await signIn(app);
      for (const path of [`/articles/${id}`, "/articles", `/articles?q=alert`]) {
        const html = await (await app.request(path, { headers: { cookie } })).text();
        assert.ok(!html.includes("<script>alert"), path);
        assert.ok(!html.includes("<img src=x"), path);
        assert.ok(html.includes("&lt;script>alert") || html.includes("&lt;script&gt;alert"), path);
      }
    });

    await t.step("an article shows its reviewed topic beside the model's", async () => {
      await fresh(1);
      const [item] = await claimNext(db, "alice");
      const label = LABELS.find((l) => l !== item.predictedLabel)!;
      await decide(db, "alice", item.id, { action: "label", label });
      const { cookie } = await signIn(app);
      const html = await (await app.request(`/articles/${item.article.id}`, {
        headers: { cookie },
      })).text();
      assert.ok(html.includes(`${label} · reviewed (model: ${item.predictedLabel})`));
    });

    await t.step("scriptSafeJson() cannot close the script element", () => {
      const json = scriptSafeJson({ t: "</script><script>alert(1)</script>", u: "\u2028&" });
      assert.ok(!json.includes("<"));
      assert.ok(!json.includes(">"));
      assert.deepEqual(JSON.parse(json), { t: "</script><script>alert(1)</script>", u: "\u2028&" });
    });

    await t.step("an unknown article is a 404 page; static files are served", async () => {
      const { cookie } = await signIn(app);
      const res = await app.request("/articles/999999", { headers: { cookie } });
      assert.equal(res.status, 404);
      assert.match(res.headers.get("content-type")!, /text\/html/);
      const css = await app.request("/static/console.css");
      assert.equal(css.status, 200);
      assert.match(css.headers.get("content-type")!, /text\/css/);
      const etag = css.headers.get("etag")!;
      await css.arrayBuffer();
      const again = await app.request("/static/console.css", {
        headers: { "if-none-match": etag },
      });
      assert.equal(again.status, 304);
      assert.equal((await app.request("/static/..%2Fdeno.json")).status, 404);
      assert.equal((await app.request("/static/build/nope.js")).status, 404);
    });
  } finally {
    await close();
  }
});
