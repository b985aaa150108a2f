# Build: compile newsintel into one self-contained binary, and train the default topic model
# once, here, so a container's first start serves at once instead of training. `.dockerignore`
# keeps the local database, API key, caches and .env out of the build context (and so out of
# the binary and the model).
# The `source` stage (Deno, dependencies, sources) is also what docker-compose.override.yml
# runs for development.
FROM node:20-bookworm-slim AS source
WORKDIR /src
COPY .deno-version ./
RUN npm install -g "deno@$(cat .deno-version)"
COPY deno.json deno.lock ./
RUN deno install --frozen
COPY . .

FROM source AS build
RUN deno task compile
# `train --out` needs no database: it writes models/bootstrap/<version> with its manifest
# (the sha256 of every file), which `serve` verifies before it registers the model.
RUN deno task cli train --no-search --out models/bootstrap --json > /dev/null

# Run: the binary as an unprivileged user, data and registered models on volumes.
# Its permissions are fixed at compile time (see docs/security.md, "Permissions"): it reads and writes
# only `data/` and `models/` under its working folder (here /app, so DATA_DIR, MODEL_DIR and
# BOOTSTRAP_MODEL_DIR stay there), may start only `newsintel` found on PATH (itself, for
# WORKERS), and loads native code only from files embedded in it (which Deno presents under
# the virtual path $TMPDIR/deno-compile-newsintel, so the binary keeps its name and TMPDIR
# stays /tmp).
# The baked model sits in /app/models/bootstrap, owned by root (read-only to the service);
# the volume is /app/models/registry beside it, so mounting storage never hides the model.
# On a first start (empty registry) `serve` copies it into MODEL_DIR, registers and activates
# it; a later image with a newer baked model registers that one too without activating it.
# postgresql-client: `newsintel backup` and `restore` run pg_dump and pg_restore (15, as the
# compose database and Debian bookworm ship). data/backups is where backups go, owned by
# the service's user (a named volume mounted there starts with that owner).
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl \
    postgresql-client \
  && rm -rf /var/lib/apt/lists/* \
  && useradd --system --uid 10001 --home-dir /app --create-home newsintel \
  && install -d -o newsintel -g newsintel /app/data /app/data/backups /app/models \
    /app/models/registry
WORKDIR /app
COPY --from=build /src/dist/newsintel /usr/local/bin/newsintel
COPY --from=build /src/models/bootstrap /app/models/bootstrap
USER newsintel
# SEED_ON_EMPTY=false: a production database starts empty, not with the sample articles
# (set it to true to try the service out; docker-compose.override.yml does).
# MALLOC_ARENA_MAX=2 and MALLOC_MMAP_THRESHOLD_=131072: glibc's malloc keeps less freed memory
# (fewer arenas; large blocks mapped apart), as `deno task start` gives the serving process
# (docs/configuration.md).
ENV PORT=8001 DATA_DIR=/app/data MODEL_DIR=/app/models/registry \
  BOOTSTRAP_MODEL_DIR=/app/models/bootstrap SEED_ON_EMPTY=false LOG_JSON=1 TMPDIR=/tmp \
  MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=131072
VOLUME ["/app/data", "/app/models/registry"]
EXPOSE 8001
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s \
  CMD curl -fsS http://127.0.0.1:8001/health || exit 1
ENTRYPOINT ["newsintel"]
CMD ["serve"]
