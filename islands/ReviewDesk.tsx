/**
 * The review desk: one article at a time, driven from the keyboard. Items are
 * claimed ahead (the current one plus `AHEAD` more on a lease), so the next
 * one shows the moment a decision is made. Talks to `/v1/review/*` only.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { api, sendOnExit } from "./api.ts";
import type { ReviewItem, ReviewStats } from "./types.ts";

export interface ReviewDeskProps {
  /** The signed-in reviewer (API-key name). */
  reviewer: string;
  /** Flag reasons the API accepts, in key order (1..n in the flag picker). */
  flagReasons: string[];
}

interface Decision {
  action: "accept" | "label" | "skip" | "flag";
  label?: string;
  flagReason?: string;
}

interface Entry {
  item: ReviewItem;
  decision: Decision | null;
}

/** Items kept claimed beyond the current one. */
const AHEAD = 2;
/** When the queue is empty, look again this often. */
const EMPTY_RETRY_MS = 15_000;

const REASON_TEXT: Record<string, string> = {
  low_confidence: "low confidence",
  shadow_disagreement: "shadow model disagrees",
  audit: "random audit",
  language: "language outside the model's",
  manual: "queued by hand",
};

const FLAG_TEXT: Record<string, string> = {
  not_news: "not news",
  duplicate: "duplicate",
  wrong_language: "wrong language",
  other: "other",
};

function describe(d: Decision): string {
  if (d.action === "accept") return `accepted ${d.label ?? ""}`.trim();
  if (d.action === "label") return `labelled ${d.label}`;
  if (d.action === "flag") return `flagged: ${FLAG_TEXT[d.flagReason ?? ""] ?? d.flagReason}`;
  return "skipped";
}

function Bar(props: { value: number; variant?: string }) {
  const w = Math.max(0, Math.min(100, props.value * 100)).toFixed(2);
  return (
    <svg
      class={`bar-svg${props.variant ? " " + props.variant : ""}`}
      viewBox="0 0 100 10"
      preserveAspectRatio="none"
      aria-hidden="true"
    >
      <rect class="track" width="100" height="10" rx="5" />
      <rect class="fill" width={w} height="10" rx="5" />
    </svg>
  );
}

function Key(props: { k: string }) {
  return <kbd>{props.k}</kbd>;
}

export default function ReviewDesk(props: ReviewDeskProps) {
  const [entries, setEntries] = useState<Entry[]>([]);
  const [cursor, setCursor] = useState(0);
  const [selected, setSelected] = useState<string | null>(null);
  const [flagging, setFlagging] = useState(false);
  const [busy, setBusy] = useState(false);
  const [loaded, setLoaded] = useState(false);
  const [empty, setEmpty] = useState(false);
  const [message, setMessage] = useState<{ text: string; error?: boolean } | null>(null);
  const [stats, setStats] = useState<ReviewStats | null>(null);
  const [done, setDone] = useState(0);

  // The latest state for the claim loop and the key handler, which outlive renders.
  const state = useRef({ entries, cursor, claiming: false });
  state.current.entries = entries;
  state.current.cursor = cursor;

  const refreshStats = async () => {
    const r = await api<ReviewStats>("GET", "/v1/review/stats");
    if (r.ok) setStats(r.data);
  };

  /** Claims more items when fewer than 1 + AHEAD undecided ones lie at or after the cursor. */
  const topUp = async (list: Entry[], at: number) => {
    if (state.current.claiming) return;
    const ahead = list.slice(at).filter((e) => !e.decision).length;
    const want = 1 + AHEAD - ahead;
    if (want <= 0) return;
    state.current.claiming = true;
    const r = await api<{ items: ReviewItem[] }>("POST", "/v1/review/claim", { limit: want });
    state.current.claiming = false;
    if (!r.ok) {
      setMessage({ text: r.message, error: true });
      return;
    }
    const known = new Set(state.current.entries.map((e) => e.item.id));
    const fresh = r.data.items.filter((i) => !known.has(i.id));
    if (fresh.length) {
      setEntries((cur) => [...cur, ...fresh.map((item) => ({ item, decision: null }))]);
      setEmpty(false);
    } else if (ahead === 0) setEmpty(true);
  };

  useEffect(() => {
    (async () => {
      const held = await api<{ items: ReviewItem[] }>("GET", "/v1/review/claims");
      const list = held.ok ? held.data.items.map((item) => ({ item, decision: null })) : [];
      if (!held.ok) setMessage({ text: held.message, error: true });
      setEntries(list);
      state.current.entries = list;
      setLoaded(true);
      await Promise.all([topUp(list, 0), refreshStats()]);
    })();
  }, []);

  // Leaving the page hands the undecided items back to the queue at once, rather
  // than when their leases run out, so other reviewers get them.
  useEffect(() => {
    const release = () => {
      for (const e of state.current.entries) {
        if (!e.decision) sendOnExit(`/v1/review/items/${e.item.id}/release`);
      }
    };
    // Back from the browser's page cache, those items are no longer ours: start afresh.
    const back = (e: PageTransitionEvent) => e.persisted && location.reload();
    addEventListener("pagehide", release);
    addEventListener("pageshow", back);
    return () => {
      removeEventListener("pagehide", release);
      removeEventListener("pageshow", back);
    };
  }, []);

  // An empty queue is looked at again now and then.
  useEffect(() => {
    if (!empty) return;
    const t = setInterval(() => topUp(state.current.entries, state.current.cursor), EMPTY_RETRY_MS);
    return () => clearInterval(t);
  }, [empty]);

  const current: Entry | undefined = entries[cursor];

  const move = (to: number) => {
    const list = state.current.entries;
    const next = Math.max(0, Math.min(to, list.length));
    setCursor(next);
    setSelected(null);
    setFlagging(false);
    void topUp(list, next);
  };

  const decide = async (decision: Decision) => {
    const entry = state.current.entries[state.current.cursor];
    if (!entry || busy) return;
    if (entry.decision) {
      setMessage({ text: "Already decided: press U to undo it, or J for the next item." });
      return;
    }
    setBusy(true);
    const body = decision.action === "label"
      ? { action: "label", label: decision.label }
      : decision.action === "flag"
      ? { action: "flag", flagReason: decision.flagReason }
      : { action: decision.action };
    const r = await api<ReviewItem>("POST", `/v1/review/items/${entry.item.id}/decision`, body);
    setBusy(false);
    setFlagging(false);
    setSelected(null);
    const at = state.current.cursor;
    if (!r.ok) {
      setMessage({ text: r.message, error: true });
      if (r.status === 409 || r.status === 404) {
        // Lost the lease (expired, or taken over): drop it and go on.
        const list = state.current.entries.filter((e) => e.item.id !== entry.item.id);
        setEntries(list);
        state.current.entries = list;
        void topUp(list, at);
      }
      return;
    }
    const recorded = { ...decision, label: decision.label ?? entry.item.predictedLabel };
    const list = state.current.entries.map((e) =>
      e.item.id === entry.item.id ? { item: { ...e.item, ...r.data }, decision: recorded } : e
    );
    setEntries(list);
    state.current.entries = list;
    setDone((n) => n + 1);
    setMessage({ text: `#${entry.item.id} ${describe(recorded)}.` });
    setCursor(at + 1);
    void topUp(list, at + 1);
    void refreshStats();
  };

  const undo = async () => {
    if (busy) return;
    setBusy(true);
    const r = await api<{ item: ReviewItem; undone: Decision }>("POST", "/v1/review/undo");
    setBusy(false);
    if (!r.ok) {
      setMessage({ text: r.message, error: !/nothing/i.test(r.code) });
      return;
    }
    const { item, undone } = r.data;
    let list = state.current.entries;
    let at = list.findIndex((e) => e.item.id === item.id);
    if (at >= 0) {
      list = list.map((e, i) => (i === at ? { item: { ...e.item, ...item }, decision: null } : e));
    } else {
      at = Math.min(state.current.cursor, list.length);
      list = [...list.slice(0, at), { item, decision: null }, ...list.slice(at)];
    }
    setEntries(list);
    state.current.entries = list;
    setCursor(at);
    setSelected(null);
    setDone((n) => Math.max(0, n - 1));
    setMessage({ text: `Undid: #${item.id} ${describe(undone)}. It is yours again.` });
    void refreshStats();
  };

  const submit = () => {
    if (!current) return;
    const predicted = current.item.predictedLabel;
    if (!selected || selected === predicted) void decide({ action: "accept" });
    else void decide({ action: "label", label: selected });
  };

  const onKey = (e: KeyboardEvent) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const t = e.target as HTMLElement | null;
    if (t && /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName)) return;
    const k = e.key;
    const item = state.current.entries[state.current.cursor]?.item;
    if (/^[1-9]$/.test(k)) {
      const i = Number(k) - 1;
      if (flagging) {
        const reason = props.flagReasons[i];
        if (reason) void decide({ action: "flag", flagReason: reason });
      } else if (item && item.labels[i]) setSelected(item.labels[i]);
    } else if (k === "Enter") submit();
    else if (k === "s" || k === "S") void decide({ action: "skip" });
    else if (k === "f" || k === "F") setFlagging((f) => !f);
    else if (k === "u" || k === "U") void undo();
    else if (k === "j" || k === "J") move(state.current.cursor + 1);
    else if (k === "k" || k === "K") move(state.current.cursor - 1);
    else if (k === "Escape") {
      setFlagging(false);
      setSelected(null);
    } else return;
    e.preventDefault();
  };
  const keyRef = useRef(onKey);
  keyRef.current = onKey;
  useEffect(() => {
    const handler = (e: KeyboardEvent) => keyRef.current(e);
    addEventListener("keydown", handler);
    return () => removeEventListener("keydown", handler);
  }, []);

  const open = stats
    ? (stats.byStatus.queued ?? 0) + (stats.byStatus.claimed ?? 0) +
      (stats.byStatus.labelled ?? 0)
    : null;
  const finished = stats
    ? (stats.byStatus.done ?? 0) + (stats.byStatus.skipped ?? 0) + (stats.byStatus.flagged ?? 0) +
      (stats.byStatus.needs_adjudication ?? 0)
    : null;
  const held = entries.filter((e) => !e.decision).length;

  return (
    <div class="review" data-testid="review-desk">
      <section class="card" aria-live="polite">
        <div class="status-line">
          <span data-testid="position">
            {current ? `Item ${cursor + 1} of ${entries.length} this session` : "\u00a0"}
            {` · ${held} held`}
          </span>
          <span data-testid="queue-counts">
            {open === null ? "" : `Queue: ${open} open · ${finished} finished · you: ${done} now`}
          </span>
        </div>
        {message && (
          <div
            class={`flash${message.error ? " error" : ""}`}
            data-testid="message"
            role={message.error ? "alert" : "status"}
          >
            {message.text}
          </div>
        )}
        {!loaded && <p class="muted">Loading your items…</p>}
        {loaded && !current && (
          <div data-testid="empty">
            <h2>{empty ? "The queue is empty" : "Fetching the next item…"}</h2>
            <p class="muted">
              {empty
                ? "Nothing is waiting for you. This page looks again every few seconds."
                : "One moment."} Press <Key k="K" /> to go back, <Key k="U" /> to undo.
            </p>
          </div>
        )}
        {current && <Article entry={current} />}
      </section>
      <aside class="card">
        {current
          ? (
            <Choices
              item={current.item}
              selected={selected}
              decided={current.decision}
              onPick={(l) => setSelected(l)}
            />
          )
          : <p class="muted">No item.</p>}
        {flagging && (
          <div class="flagpick" data-testid="flag-picker">
            <strong>Flag as…</strong>
            <div class="choices">
              {props.flagReasons.map((r, i) => (
                <button
                  type="button"
                  onClick={() => decide({ action: "flag", flagReason: r })}
                >
                  <Key k={String(i + 1)} /> {FLAG_TEXT[r] ?? r}
                </button>
              ))}
            </div>
            <p class="small muted">
              <Key k="Esc" /> cancel
            </p>
          </div>
        )}
        <div class="actions desk-actions">
          <button type="button" class="primary" disabled={!current || busy} onClick={submit}>
            <Key k="Enter" /> {selected && current && selected !== current.item.predictedLabel
              ? `Label ${selected}`
              : "Accept"}
          </button>
          <button
            type="button"
            disabled={!current || busy}
            onClick={() => decide({ action: "skip" })}
          >
            <Key k="S" /> Skip
          </button>
          <button type="button" disabled={!current || busy} onClick={() => setFlagging((f) => !f)}>
            <Key k="F" /> Flag
          </button>
          <button type="button" disabled={busy} onClick={undo}>
            <Key k="U" /> Undo
          </button>
        </div>
        <hr />
        <div class="keys" aria-label="Keyboard shortcuts">
          <span>
            <Key k="1" />…<Key k="9" /> choose label
          </span>
          <span>
            <Key k="Enter" /> accept / save
          </span>
          <span>
            <Key k="S" /> skip
          </span>
          <span>
            <Key k="F" /> flag
          </span>
          <span>
            <Key k="U" /> undo
          </span>
          <span>
            <Key k="J" /> next
          </span>
          <span>
            <Key k="K" /> previous
          </span>
          <span>
            <Key k="Esc" /> cancel
          </span>
        </div>
      </aside>
    </div>
  );
}

function Article(props: { entry: Entry }) {
  const { item, decision } = props.entry;
  const a = item.article;
  return (
    <article data-testid="review-item" data-item-id={item.id}>
      {decision && (
        <div class="decided" data-testid="decided">
          You {describe(decision)} — <Key k="U" /> undoes your last decision.
        </div>
      )}
      <div class="meta">
        <span>
          Why queued:{" "}
          {item.reasons.map((r) => (
            <span class={`badge${r === "audit" ? "" : " warn"}`}>{REASON_TEXT[r] ?? r}</span>
          ))}
        </span>
        {item.shadowLabel && <span>shadow says {item.shadowLabel}</span>}
      </div>
      <h2 class="review-title" data-testid="title">{a.title}</h2>
      <div class="meta">
        <span>{a.source ?? "unknown source"}</span>
        <span>{a.publishedAt.slice(0, 10)}</span>
        {a.language && <span>{a.language}</span>}
        <a href={`/articles/${a.id}`} target="_blank" rel="noopener">article #{a.id}</a>
        {a.url && /^https?:\/\//.test(a.url) && (
          <a href={a.url} target="_blank" rel="noopener noreferrer">source ↗</a>
        )}
      </div>
      {a.summary && (
        <div class="summary">
          <strong class="small">Summary</strong>
          <div>{a.summary}</div>
        </div>
      )}
      <div class="body-text">{a.body || <span class="muted">(no body)</span>}</div>
    </article>
  );
}

function Choices(props: {
  item: ReviewItem;
  selected: string | null;
  decided: Decision | null;
  onPick: (label: string) => void;
}) {
  const { item, selected, decided } = props;
  const top = item.predictedLabel;
  return (
    <div>
      <h3>Label</h3>
      <p class="small muted">
        model <span class="mono">{item.modelVersion}</span>
      </p>
      <div class="choices" role="listbox" aria-label="Labels">
        {item.labels.map((label, i) => {
          const p = item.scores[label] ?? 0;
          const isSelected = selected === label || (!selected && !decided && label === top);
          const chosen = decided?.label === label && decided.action !== "skip" &&
            decided.action !== "flag";
          return (
            <button
              type="button"
              role="option"
              aria-selected={isSelected}
              class={`choice${isSelected ? " selected" : ""}${label === top ? " predicted" : ""}`}
              onClick={() => props.onPick(label)}
            >
              <kbd>{i < 9 ? String(i + 1) : ""}</kbd>
              <span class="name">{label}</span>
              <span class="num">{(p * 100).toFixed(0)}%</span>
              <Bar value={p} variant={chosen ? "chosen" : label === top ? "top" : undefined} />
            </button>
          );
        })}
      </div>
    </div>
  );
}
