// The text a model sees for an article, the same for training, ingestion and review.

/**
 * Times the headline opens the text of a model trained now. A headline says what an article
 * is about more densely than its body, and a linear model over counts gives it more weight
 * when it comes twice: on the 3-fold out-of-fold predictions of the three HuffPost training
 * splits (29 categories; headline and teaser), macro-F1 / accuracy 0.4455 / 0.6881 with the
 * headline once, 0.4537 / 0.7012 twice, 0.4446 / 0.6954 three times (each at the prior
 * correction it scored best); AG News 5-fold accuracy 0.9013 once, 0.9003 twice
 * (bench/taxonomy.ts).
 */
export const HEADLINE_REPEATS = 2;

/**
 * The text a model sees for an article: AG News's own `title . description` shape, with the
 * title `headlineRepeats` times (models trained before the headline counted twice: once).
 */
export function articleText(
  title: string,
  body: string,
  headlineRepeats: number = HEADLINE_REPEATS,
): string {
  const head = Array.from(
    { length: Math.max(1, Math.min(MAX_HEADLINE_REPEATS, headlineRepeats)) },
    () => title,
  ).join(" . ");
  return body ? `${head} . ${body}` : head;
}

/** Most headline repeats a model's manifest may ask for (each one is work on every text). */
export const MAX_HEADLINE_REPEATS = 4;

/**
 * The headline repeats of a model's text, from its hyperparameters (its manifest's); 1 for a
 * model without them (trained before they were recorded, or not trained here) or with a value
 * out of range.
 */
export function headlineRepeatsOf(hyperparameters?: Record<string, unknown> | null): number {
  const n = hyperparameters?.headlineRepeats;
  return typeof n === "number" && Number.isInteger(n) && n >= 1 && n <= MAX_HEADLINE_REPEATS
    ? n
    : 1;
}

/** An article by its parts. */
export interface ArticleParts {
  title: string;
  body: string;
}

/** What a model classifies: a text as given, or an article by its parts. */
export type ModelInput = string | ArticleParts;

/** The text a model with `headlineRepeats` is given for `input`: an article in that shape. */
export function modelText(input: ModelInput, headlineRepeats: number): string {
  return typeof input === "string" ? input : articleText(input.title, input.body, headlineRepeats);
}

/**
 * The text a model with `headlineRepeats` is given for a labelled example: its article in
 * that shape when it was made of one, else its text as it is.
 */
export function exampleText(
  example: { text: string; article?: ArticleParts },
  headlineRepeats: number,
): string {
  return modelText(example.article ?? example.text, headlineRepeats);
}

/** A labelled example made of an article: the text of a model trained now, and the parts. */
export function articleExample(
  title: string,
  body: string,
  label: string,
): { text: string; label: string; article: ArticleParts } {
  return { text: articleText(title, body), label, article: { title, body } };
}
