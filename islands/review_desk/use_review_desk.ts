/**
 * The review desk's state hook: one DeskController per desk, re-rendering on each
 * state it reports, wired to the page: it starts on mount, listens to the keyboard,
 * looks again at an empty queue now and then, sends the outbox when the page is
 * hidden or the network returns, warns before leaving while decisions are unsaved,
 * and, as the page goes, sends what is left and hands the undecided items back.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { DeskController } from "./controller.ts";
import { keyCommand } from "./keys.ts";
import { type DeskState, initialDeskState } from "./state.ts";

/** When the queue is empty, look again this often. */
const EMPTY_RETRY_MS = 15_000;

/** The desk's state to render and the controller its buttons call. */
export function useReviewDesk(
  reviewer: string,
  flagReasons: string[],
  taxonomy?: string,
): { state: DeskState; desk: DeskController } {
  const [state, setState] = useState(initialDeskState);
  const ref = useRef<DeskController | null>(null);
  ref.current ??= new DeskController({ reviewer, flagReasons, taxonomy, onChange: setState });
  const desk = ref.current;
  desk.deps.flagReasons = flagReasons;

  useEffect(() => {
    void desk.start();
    return () => desk.stop();
  }, []);

  // Leaving the page sends the decisions not yet confirmed and hands the undecided
  // items back to the queue at once, rather than when their leases run out, so other
  // reviewers get them. Hidden (a tab switched, a phone locked) may be the last chance
  // to run: send now. Unsaved decisions make the browser ask before leaving.
  useEffect(() => {
    const leave = () => desk.leave();
    const hidden = () => document.visibilityState === "hidden" && desk.flush();
    const online = () => desk.flush();
    const warn = (e: BeforeUnloadEvent) => {
      if (!desk.hasUnsaved()) return;
      e.preventDefault();
      e.returnValue = "";
    };
    // Back from the browser's page cache, those items are no longer ours: start afresh.
    const back = (e: PageTransitionEvent) => e.persisted && location.reload();
    const listeners: Array<[string, EventListener]> = [
      ["pagehide", leave],
      ["pageshow", back as EventListener],
      ["online", online],
      ["beforeunload", warn as EventListener],
    ];
    for (const [name, fn] of listeners) addEventListener(name, fn);
    document.addEventListener("visibilitychange", hidden);
    return () => {
      for (const [name, fn] of listeners) removeEventListener(name, fn);
      document.removeEventListener("visibilitychange", hidden);
    };
  }, []);

  // An empty queue is looked at again now and then.
  useEffect(() => {
    if (!state.empty) return;
    const t = setInterval(() => desk.topUp(), EMPTY_RETRY_MS);
    return () => clearInterval(t);
  }, [state.empty]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const { key, ctrlKey, metaKey, altKey } = e;
      const tagName = (e.target as HTMLElement | null)?.tagName;
      const command = keyCommand({ key, ctrlKey, metaKey, altKey, tagName });
      if (!command) return;
      desk.run(command);
      e.preventDefault();
    };
    addEventListener("keydown", onKey);
    return () => removeEventListener("keydown", onKey);
  }, []);

  return { state, desk };
}
