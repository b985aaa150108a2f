# Build: compile newsintel into one self-contained binary. `.dockerignore` keeps the local
# database, API key, caches and .env out of the build context (and so out of the binary).
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY .deno-version ./
RUN npm install -g "deno@$(cat .deno-version)"
COPY deno.json deno.lock ./
RUN deno install --frozen
COPY . .
RUN deno task compile

# Run: the binary as an unprivileged user, data and models on volumes.
# Its permissions are fixed at compile time (see README, "Permissions"): it reads and writes
# only `data/` and `models/` under its working folder (here /app, so DATA_DIR and MODEL_DIR
# must stay there), may start only `newsintel` found on PATH (itself, for WORKERS and the
# first-start training run), and loads native code only from files embedded in it (which Deno
# presents under the virtual path $TMPDIR/deno-compile-newsintel, so the binary keeps its
# name and TMPDIR stays /tmp).
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl \
  && rm -rf /var/lib/apt/lists/* \
  && useradd --system --uid 10001 --home-dir /app --create-home newsintel \
  && install -d -o newsintel -g newsintel /app/data /app/models
WORKDIR /app
COPY --from=build /src/dist/newsintel /usr/local/bin/newsintel
USER newsintel
ENV PORT=8001 DATA_DIR=/app/data MODEL_DIR=/app/models LOG_JSON=1 TMPDIR=/tmp
VOLUME ["/app/data", "/app/models"]
EXPOSE 8001
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s \
  CMD curl -fsS http://127.0.0.1:8001/health || exit 1
ENTRYPOINT ["newsintel"]
CMD ["serve"]
