import assert from "node:assert/strict";
import { registerTestModel, seedQueue } from "../../testing/db/review/test_helpers.ts";
import { pgliteTestDb } from "../../testing/db/test_db.ts";
import { CSRF_HEADER } from "../../lib/console_session.ts";
import {
  ALICE_KEY,
  fromAddress,
  postJson,
  testApp,
  withKey,
} from "../../testing/routes/test_app.ts";
import { cookiesOf, form, ORIGIN, signIn } from "../../testing/routes/console/test_helpers.ts";

Deno.test("console sign-in, sessions and CSRF", async (t) => {
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

    await t.step(
      "sign-in over https sets a Secure __Host- cookie, read only over https",
      async () => {
        for (
          const [url, headers] of [
            ["https://console.example", {}],
            ["http://console.example", { "x-forwarded-proto": "https" }],
          ] as const
        ) {
          const page = await app.request(`${url}/login`, { headers });
          const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1];
          const loginCookie = cookiesOf(page).get("__Secure-ni_login");
          assert.ok(loginCookie, "the sign-in form's cookie is __Secure-");
          const res = await app.request(
            `${url}/login`,
            form({ _csrf: token, key: ALICE_KEY }, {
              cookie: `__Secure-ni_login=${loginCookie}`,
              origin: "https://console.example",
              ...headers,
            }),
          );
          assert.equal(res.status, 303);
          const lines = res.headers.getSetCookie();
          assert.ok(!lines.some((l) => l.startsWith("ni_session=")));
          const line = lines.find((l) => l.startsWith("__Host-ni_session="))!;
          assert.match(line, /Secure/);
          assert.match(line, /Path=\//);
          assert.doesNotMatch(line, /Domain=/i);
          const cookie = `__Host-ni_session=${cookiesOf(res).get("__Host-ni_session")}`;
          const signedIn = await app.request(`${url}/review`, { headers: { cookie, ...headers } });
          assert.equal(signedIn.status, 200);
          await signedIn.body?.cancel();
          // The same cookie over plain http is not the session (nor is a plain one over https).
          const plain = await app.request("http://console.example/review", { headers: { cookie } });
          assert.equal(plain.status, 302);
        }
      },
    );

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
      const stats = await (await app.request("/v1/review/stats", withKey())).json();
      assert.equal(stats.byStatus.done, 0);
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
  } finally {
    await close();
  }
});

Deno.test("wrong keys at sign-in from one address get 429 with Retry-After", async () => {
  const { db, close } = await pgliteTestDb();
  try {
    const limited = testApp(db, { AUTH_FAILURES_PER_MINUTE: "3" }).app;
    const attempt = async (key: string, xff: string) => {
      const env = fromAddress("203.0.113.9");
      const page = await limited.request("/login", {}, env);
      const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1];
      return limited.request(
        "/login",
        form({ _csrf: token, key }, {
          cookie: `ni_login=${cookiesOf(page).get("ni_login")}`,
          "x-forwarded-for": xff, // not a trusted proxy: ignored
        }),
        env,
      );
    };
    for (let i = 0; i < 3; i++) {
      assert.equal((await attempt(`not-the-key-${i}`, `192.0.2.${i}`)).status, 401);
    }
    const refused = await attempt(ALICE_KEY, "192.0.2.99");
    assert.equal(refused.status, 429);
    assert.ok(Number(refused.headers.get("retry-after")) > 0);
    assert.match(await refused.text(), /Too many failed sign-ins/);
    assert.ok(!cookiesOf(refused).has("ni_session"));
    // The API shares the count: the same address cannot guess there instead.
    const api = await limited.request(
      "/v1/articles",
      withKey(ALICE_KEY),
      fromAddress("203.0.113.9"),
    );
    assert.equal(api.status, 429);
  } finally {
    await close();
  }
});

Deno.test("sign-in never redirects off-site, before or after signing in", async () => {
  const { db, close } = await pgliteTestDb();
  const { app } = testApp(db);
  try {
    const offSite = (res: Response, next: string) => {
      const location = res.headers.get("location")!;
      assert.ok(location, next);
      assert.ok(!location.startsWith("//") && !location.startsWith("/\\"), `${next} → ${location}`);
      assert.equal(new URL(location, ORIGIN).origin, ORIGIN, `${next} → ${location}`);
    };
    for (const next of ["/.//evil.example", "/%2e//evil.example", "/a/..//evil.example"]) {
      const page = await app.request(`/login?next=${encodeURIComponent(next)}`);
      const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1];
      const res = await app.request(
        "/login",
        form({ _csrf: token, key: ALICE_KEY, next }, {
          cookie: `ni_login=${cookiesOf(page).get("ni_login")}`,
        }),
      );
      assert.equal(res.status, 303);
      offSite(res, next);
      const cookie = `ni_session=${cookiesOf(res).get("ni_session")}`;
      const again = await app.request(`/login?next=${encodeURIComponent(next)}`, {
        headers: { cookie },
      });
      assert.equal(again.status, 302);
      offSite(again, next);
    }
  } finally {
    await close();
  }
});

Deno.test("SECURE_COOKIES=true makes the cookies Secure and __Host- even on a plain-http hop", async () => {
  const { db, close } = await pgliteTestDb();
  try {
    const { app } = testApp(db, { SECURE_COOKIES: "true" });
    const page = await app.request("/login");
    const loginCookie = cookiesOf(page).get("__Secure-ni_login");
    assert.ok(loginCookie);
    const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1];
    const res = await app.request(
      "/login",
      form({ _csrf: token, key: ALICE_KEY }, { cookie: `__Secure-ni_login=${loginCookie}` }),
    );
    assert.equal(res.status, 303);
    const line = res.headers.getSetCookie().find((l) => l.startsWith("__Host-ni_session="))!;
    assert.match(line, /Secure/);
    const cookie = `__Host-ni_session=${cookiesOf(res).get("__Host-ni_session")}`;
    const review = await app.request("/review", { headers: { cookie } });
    assert.equal(review.status, 200);
    await review.body?.cancel();
  } finally {
    await close();
  }
});
