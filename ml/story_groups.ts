// ml/story_groups.ts — which story each new article joins: the most similar earlier article
// (stored, or new in the same batch) within the time window, if similar enough.

import { estimatedJaccard, SAME_STORY_JACCARD } from "./minhash.ts";

/** Articles further apart than this are never one story (same event, reported again later). */
export const STORY_WINDOW_MS = 3 * 24 * 3_600_000;

/** Earlier items of a batch kept per band key (a key shared by thousands says little). */
export const MAX_BATCH_PEERS = 32;

/** A stored article found through a shared band key. */
export interface StoryCandidate {
  storyId: number;
  at: number;
  sig: Uint32Array;
}

/** A new article: its publication time, signature (null: no words), band keys, candidates. */
export interface NewStoryItem {
  at: number;
  sig: Uint32Array | null;
  keys: readonly number[];
  candidates: StoryCandidate[];
}

/** An existing story to join, or the index of a new story of this batch. */
export type StoryChoice = { story: number } | { newStory: number };

/**
 * Chooses a story for each item, in input order: the story of the most similar candidate
 * (estimated Jaccard ≥ `SAME_STORY_JACCARD`, within `STORY_WINDOW_MS`), where earlier items
 * of the batch sharing a band key are candidates too; else a new story. Work per item is
 * linear in its candidates and in the earlier items sharing each key, at most
 * `MAX_BATCH_PEERS` a key.
 */
export function chooseStories(items: readonly NewStoryItem[]): StoryChoice[] {
  const choices: StoryChoice[] = [];
  let newStories = 0;
  const earlier: Array<{ at: number; sig: Uint32Array; choice: StoryChoice }> = [];
  const byKey = new Map<number, number[]>();
  for (const item of items) {
    let best: { sim: number; choice: StoryChoice } | null = null;
    if (item.sig) {
      const consider = (at: number, sig: Uint32Array, choice: StoryChoice) => {
        if (Math.abs(at - item.at) > STORY_WINDOW_MS) return;
        const sim = estimatedJaccard(item.sig!, sig);
        if (sim >= SAME_STORY_JACCARD && (!best || sim > best.sim)) best = { sim, choice };
      };
      for (const c of item.candidates) consider(c.at, c.sig, { story: c.storyId });
      for (const k of item.keys) {
        for (const i of byKey.get(k) ?? []) {
          consider(earlier[i].at, earlier[i].sig, earlier[i].choice);
        }
      }
    }
    const choice: StoryChoice = best
      ? (best as { choice: StoryChoice }).choice
      : { newStory: newStories++ };
    choices.push(choice);
    if (item.sig) {
      earlier.push({ at: item.at, sig: item.sig, choice });
      for (const k of item.keys) {
        const peers = byKey.get(k) ?? [];
        if (peers.length < MAX_BATCH_PEERS) peers.push(earlier.length - 1);
        byKey.set(k, peers);
      }
    }
  }
  return choices;
}
