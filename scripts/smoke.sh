#!/usr/bin/env bash
# Smoke test of a running newsintel: liveness, readiness, Prometheus metrics, one classification
# with a key and one refused without. CI runs it against the freshly built image; the test
# cli/serve_deploy_test.ts runs it against a local `serve`.
#
#   API_KEY=<a key the service accepts> scripts/smoke.sh [BASE_URL]    (default http://127.0.0.1:8001)
#
# SMOKE_WAIT_SECONDS (default 120) bounds the wait for /health and /ready. Exit 0 when every
# check passed; otherwise 1 with the failed check on stderr. Needs bash and curl.
set -euo pipefail

base="${1:-http://127.0.0.1:8001}"
base="${base%/}"
key="${API_KEY:?API_KEY must name a key the service accepts}"
wait_seconds="${SMOKE_WAIT_SECONDS:-120}"

fail() {
  echo "smoke: FAIL: $*" >&2
  exit 1
}
ok() { echo "smoke: ok: $*"; }

# Polls PATH until it answers 200 or the wait is over.
wait_for() {
  local path="$1" code="" deadline=$((SECONDS + wait_seconds))
  while :; do
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$base$path" || true)
    [ "$code" = 200 ] && return 0
    [ "$SECONDS" -ge "$deadline" ] && fail "$path did not answer 200 within ${wait_seconds}s (last: ${code:-no answer})"
    sleep 1
  done
}

wait_for /health
health=$(curl -fsS --max-time 5 "$base/health") || fail "/health"
grep -q '"status":"ok"' <<<"$health" || fail "/health answered: $health"
ok "/health $health"

wait_for /ready
ready=$(curl -fsS --max-time 5 "$base/ready") || fail "/ready"
grep -q '"status":"ready"' <<<"$ready" || fail "/ready answered: $ready"
ok "/ready $ready"

metrics=$(curl -fsS --max-time 10 -H "x-api-key: $key" "$base/metrics?format=prometheus") ||
  fail "/metrics?format=prometheus with the key"
for name in http_requests_total http_request_duration_seconds_bucket newsintel_model_info; do
  grep -q "^$name{" <<<"$metrics" || fail "/metrics has no $name"
done
ok "/metrics (Prometheus text, $(wc -l <<<"$metrics") lines)"

body='{"text": "Apple shares rose after record iPhone sales in China lifted its quarterly profit"}'
unauthorized=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -X POST "$base/v1/classify" \
  -H 'content-type: application/json' -d "$body")
[ "$unauthorized" = 401 ] || fail "POST /v1/classify without a key answered $unauthorized, not 401"
classified=$(curl -fsS --max-time 30 -X POST "$base/v1/classify" -H "x-api-key: $key" \
  -H 'content-type: application/json' -d "$body") || fail "POST /v1/classify with the key"
label=$(grep -o '"label":"[^"]*"' <<<"$classified" | head -1 | cut -d'"' -f4)
version=$(grep -o '"version":"[^"]*"' <<<"$classified" | head -1 | cut -d'"' -f4)
[ -n "$label" ] && [ -n "$version" ] || fail "POST /v1/classify answered: $classified"
ok "POST /v1/classify -> $label (model $version)"
echo "smoke: passed"
