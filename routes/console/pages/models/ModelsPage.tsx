/**
 * Models: versions grouped by taxonomy with metrics, confusion heatmap, promote / rollback
 * per taxonomy, retrain, shadow agreement, retrains.
 */
import type { ModelRecord } from "../../../../db/models.ts";
import { Heatmap } from "../../../pages/Figures.tsx";
import { day, num, pct, when } from "../../../pages/format.ts";
import { Flash, Layout, type PageContext, PageHead } from "../../../pages/Layout.tsx";
import { modelFigures, type modelsData } from "./load.ts";
import { RetrainsTable } from "./RetrainsTable.tsx";

type Data = Awaited<ReturnType<typeof modelsData>>;

export function ModelsPage(props: {
  ctx: PageContext;
  data: Data;
  selected: string | null;
  flash: { ok?: string | null; error?: string | null };
}) {
  const { ctx, data } = props;
  const active = data.models.find((m) => m.active && m.taxonomy === "topic") ??
    data.models.find((m) => m.active) ?? null;
  const shown = data.models.find((m) => m.version === props.selected) ?? active ?? data.models[0];
  const groups = new Map<string, ModelRecord[]>();
  for (const m of data.models) groups.set(m.taxonomy, [...groups.get(m.taxonomy) ?? [], m]);
  const taxonomies = [...groups.keys()].sort((a, b) =>
    a === "topic" ? -1 : b === "topic" ? 1 : a < b ? -1 : 1
  );
  return (
    <Layout title="Models" ctx={ctx} assetVersion={ctx.assetVersion}>
      <PageHead title="Models">
        {ctx.admin && (
          <form method="post" action="/models/retrain">
            <input type="hidden" name="_csrf" value={ctx.csrf} />
            <button type="submit">Retrain…</button>
          </form>
        )}
      </PageHead>
      <Flash {...props.flash} />
      <div class="grid">
        <LearningCard learning={data.learning} />
        <ShadowCard shadow={data.shadow} agreement={data.agreement} />
      </div>
      <RetrainsTable retrains={data.retrains} />
      {taxonomies.map((t) => (
        <VersionsTable
          key={t}
          taxonomy={t}
          models={groups.get(t)!}
          ctx={ctx}
          shown={shown}
          canRollBack={data.history.filter((h) => h.taxonomy === t).length > 1}
        />
      ))}
      {shown && <ModelDetail m={shown} />}
      <section class="card">
        <h2>Activation history</h2>
        <ul class="spike-list">
          {data.history.map((h) => (
            <li>
              {when(h.activatedAt)} · {h.taxonomy} · {h.action}{" "}
              <span class="mono">{h.version}</span>
              {h.actor ? ` by ${h.actor}` : ""}
            </li>
          ))}
        </ul>
      </section>
    </Layout>
  );
}

/** Reviewed labels since the active model was trained: what the next training would add. */
function LearningCard({ learning }: { learning: Data["learning"] }) {
  return (
    <section class="card">
      <h2>Learning</h2>
      <p>
        <strong data-testid="new-labels">{num(learning.newReviewedLabels)}</strong>{" "}
        reviewed labels since the active model was trained
        {learning.activeModelCreatedAt ? ` (${day(learning.activeModelCreatedAt)})` : ""};{" "}
        {num(learning.totalReviewedLabels)} in all.
      </p>
      <p class="small muted">
        <code>newsintel train</code>{" "}
        and retrains use them (a reviewed label wins over the original).
      </p>
    </section>
  );
}

/** The shadow model, if any, and how often each shadow agreed with the active model. */
function ShadowCard(props: { shadow: Data["shadow"]; agreement: Data["agreement"] }) {
  return (
    <section class="card">
      <h2>Shadow mode</h2>
      {props.shadow
        ? (
          <p>
            Running <span class="mono">{props.shadow}</span> beside the active model.
          </p>
        )
        : <p class="muted">No shadow model.</p>}
      {props.agreement.map((a) => (
        <div>
          <p class="small">
            <span class="mono">{a.shadowVersion}</span> vs{" "}
            <span class="mono">{a.activeVersion}</span>: <strong>{pct(a.rate, 1)}</strong>{" "}
            agreement on {num(a.compared)} articles
          </p>
          {a.disagreements.length > 0 && (
            <p class="small muted">
              Most common disagreements:{" "}
              {a.disagreements.slice(0, 4).map((d) =>
                `${d.activeLabel} → ${d.shadowLabel} (${d.count})`
              ).join(", ")}
            </p>
          )}
        </div>
      ))}
    </section>
  );
}

/**
 * One taxonomy's models with their figures; admins may promote any inactive one (it
 * replaces that taxonomy's active model only) and roll the taxonomy back.
 */
function VersionsTable(
  props: {
    taxonomy: string;
    models: ModelRecord[];
    ctx: PageContext;
    shown?: ModelRecord;
    canRollBack: boolean;
  },
) {
  const { ctx, taxonomy } = props;
  return (
    <section class="card" data-testid={`models-${taxonomy}`}>
      <div class="page-head">
        <h2>
          Versions · <span data-testid="taxonomy-name">{taxonomy}</span>
        </h2>
        {props.canRollBack && ctx.admin && (
          <form method="post" action="/models/rollback">
            <input type="hidden" name="_csrf" value={ctx.csrf} />
            <input type="hidden" name="taxonomy" value={taxonomy} />
            <button type="submit">Roll back {taxonomy}…</button>
          </form>
        )}
      </div>
      <div class="table-wrap">
        <table data-testid="models">
          <thead>
            <tr>
              <th>version</th>
              <th>created</th>
              <th>origin</th>
              <th class="num">training rows</th>
              <th class="num">accuracy</th>
              <th class="num">macro-F1</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {props.models.map((m) => (
              <ModelRow key={m.version} m={m} ctx={props.ctx} current={props.shown} />
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function ModelRow(props: { m: ModelRecord; ctx: PageContext; current?: ModelRecord }) {
  const { m, ctx } = props;
  const f = modelFigures(m);
  return (
    <tr>
      <td>
        <a class="mono" href={`/models?version=${encodeURIComponent(m.version)}`}>{m.version}</a>
        {m.active && <span class="badge ok">active</span>}
        {props.current?.version === m.version && !m.active && <span class="badge">shown</span>}
      </td>
      <td class="nowrap small">{when(m.createdAt)}</td>
      <td class="small">{m.origin}</td>
      <td class="num">{num(f.trainingSize)}</td>
      <td class="num">{pct(f.accuracy, 1)}</td>
      <td class="num">{pct(f.macroF1, 1)}</td>
      <td class="right">
        {!m.active && ctx.admin && (
          <form method="post" action="/models/promote">
            <input type="hidden" name="_csrf" value={ctx.csrf} />
            <input type="hidden" name="version" value={m.version} />
            <button type="submit">Promote…</button>
          </form>
        )}
      </td>
    </tr>
  );
}

function ModelDetail(props: { m: ModelRecord }) {
  const f = modelFigures(props.m);
  return (
    <section class="card" data-testid="model-detail">
      <h2>
        <span class="mono">{props.m.version}</span>
      </h2>
      <p class="small muted">
        {props.m.name} · labels {props.m.labels.join(", ")} · evaluated on {num(f.evalSize)}{" "}
        held-out articles · trained on {num(f.trainingSize)}
      </p>
      <div class="split">
        <div>
          <h3>Confusion matrix</h3>
          {f.confusion
            ? <Heatmap labels={f.labels} matrix={f.confusion} />
            : <p class="muted">This model has no evaluation in its manifest.</p>}
        </div>
        <div>
          <h3>Per class</h3>
          <table>
            <thead>
              <tr>
                <th>label</th>
                <th class="num">P</th>
                <th class="num">R</th>
                <th class="num">F1</th>
                <th class="num">n</th>
              </tr>
            </thead>
            <tbody>
              {f.perClass.map((c) => (
                <tr>
                  <td>{c.label}</td>
                  <td class="num">{pct(c.precision)}</td>
                  <td class="num">{pct(c.recall)}</td>
                  <td class="num">{pct(c.f1)}</td>
                  <td class="num">{num(c.support)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
    </section>
  );
}
