/** The Models page's record of retrains: who started each, how it scored, how it ended. */
import type { Retrain } from "../../../../db/retrains.ts";
import { num, pct, when } from "../../../pages/format.ts";

const BADGE: Record<Retrain["status"], string> = {
  running: "badge",
  promoted: "badge ok",
  shadowed: "badge",
  failed: "badge warn",
};

/**
 * Retrains, newest first: macro-F1 of both models on the evaluation set and on its fixed
 * file, and why each was promoted or left as the shadow model.
 */
export function RetrainsTable(props: { retrains: Retrain[] }) {
  return (
    <section class="card">
      <h2>Retrains</h2>
      {props.retrains.length === 0 ? <p class="muted">No retrain yet.</p> : (
        <div class="table-wrap">
          <table data-testid="retrains">
            <thead>
              <tr>
                <th>#</th>
                <th>started</th>
                <th>by</th>
                <th>status</th>
                <th>candidate</th>
                <th class="num">candidate F1</th>
                <th>compared with</th>
                <th class="num">its F1</th>
                <th class="num">fixed file F1 (candidate / active)</th>
                <th class="num">eval rows (fixed + agreed)</th>
              </tr>
            </thead>
            <tbody>
              {props.retrains.map((r) => (
                <tr key={r.id}>
                  <td class="num">{r.id}</td>
                  <td class="nowrap small">{when(r.startedAt)}</td>
                  <td class="small">{r.actor ? `${r.actor} (${r.trigger})` : r.trigger}</td>
                  <td>
                    <span class={BADGE[r.status]}>{r.status}</span>
                    {r.error && <div class="small muted">{r.error}</div>}
                    {r.reason && <div class="small muted">{r.reason}</div>}
                  </td>
                  <td class="mono small">{r.candidateVersion ?? "—"}</td>
                  <td class="num">{pct(r.candidateScore, 1)}</td>
                  <td class="mono small">{r.activeVersion ?? "—"}</td>
                  <td class="num">{pct(r.activeScore, 1)}</td>
                  <td class="num">
                    {pct(r.fixedCandidateScore, 1)} / {pct(r.fixedActiveScore, 1)}
                  </td>
                  <td class="num">
                    {num(r.evalSize)}
                    {r.fixedEvalSize !== null &&
                      ` (${num(r.fixedEvalSize)} + ${num(r.agreedEvalSize ?? 0)})`}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
