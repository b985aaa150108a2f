/**
 * The one place services' refusals become HTTP errors: each refusal code a service answers
 * (`services/outcome.ts`) maps to its status; the code and message are the service's own.
 */
import { AppError } from "../lib/errors.ts";
import type { Outcome, Refusal } from "../services/outcome.ts";
import type { QueueRefusalCode } from "../services/review_routing.ts";
import type { TaxonomyRefusalCode } from "../services/taxonomies.ts";
import type { TrendsRefusalCode } from "../services/trends.ts";

/** Every code a service refuses with. */
export type ServiceRefusalCode = TaxonomyRefusalCode | TrendsRefusalCode | QueueRefusalCode;

const STATUS: Record<ServiceRefusalCode, AppError["status"]> = {
  unknownTaxonomy: 404,
  articleNotFound: 404,
  invalidRange: 422,
  tooManyBuckets: 422,
  noPrediction: 409,
  alreadyQueued: 409,
};

/** The HTTP error that says why a service refused. */
export function serviceRefusalError(r: Refusal<ServiceRefusalCode>): AppError {
  return new AppError(STATUS[r.code], r.code, r.message);
}

/** The value of an outcome; a refusal is thrown as its HTTP error. */
export function orRefuse<T>(outcome: Outcome<T, ServiceRefusalCode>): T {
  if (!outcome.ok) throw serviceRefusalError(outcome);
  return outcome.value;
}
