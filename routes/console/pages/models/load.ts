/** The models page's data: registered models, activations, shadow agreement and retrains. */
import { activationHistory, listModels, type ModelRecord } from "../../../../db/models.ts";
import { listRetrains } from "../../../../db/retrains.ts";
import type { Db } from "../../../../db/mod.ts";
import {
  newLabelsSinceTraining,
  shadowAgreement,
  shadowModelVersion,
} from "../../../../db/review/mod.ts";

/** A model's evaluation figures, read defensively from its manifest. */
export interface ModelFigures {
  accuracy: number | null;
  macroF1: number | null;
  evalSize: number | null;
  trainingSize: number | null;
  labels: string[];
  confusion: number[][] | null;
  perClass: Array<
    { label: string; precision: number; recall: number; f1: number; support: number }
  >;
}

export function modelFigures(m: ModelRecord): ModelFigures {
  const manifest = (m.manifest ?? {}) as Record<string, unknown>;
  const metrics = (manifest.metrics ?? {}) as Record<string, unknown>;
  const report = (metrics.report ?? metrics) as Record<string, unknown>;
  const numOr = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : null);
  const labels = Array.isArray(report.labels) ? report.labels.map(String) : m.labels;
  const confusion = Array.isArray(report.confusion) &&
      report.confusion.every((r) => Array.isArray(r) && r.every((n) => typeof n === "number"))
    ? report.confusion as number[][]
    : null;
  const perClassRaw = (report.perClass ?? {}) as Record<string, Record<string, unknown>>;
  const perClass = labels.filter((l) => perClassRaw[l]).map((label) => ({
    label,
    precision: numOr(perClassRaw[label].precision) ?? 0,
    recall: numOr(perClassRaw[label].recall) ?? 0,
    f1: numOr(perClassRaw[label].f1) ?? 0,
    support: numOr(perClassRaw[label].support) ?? 0,
  }));
  const training = (manifest.trainingData ?? {}) as Record<string, unknown>;
  return {
    accuracy: numOr(report.accuracy),
    macroF1: numOr(report.macroF1),
    evalSize: numOr(report.size) ?? numOr(metrics.size),
    trainingSize: numOr(training.size),
    labels,
    confusion,
    perClass,
  };
}

export async function modelsData(db: Db) {
  const [models, history, shadow, agreement, learning, retrains] = await Promise.all([
    listModels(db),
    activationHistory(db, 20),
    shadowModelVersion(db),
    shadowAgreement(db),
    newLabelsSinceTraining(db),
    listRetrains(db, 20),
  ]);
  return { models, history, shadow, agreement, learning, retrains };
}
