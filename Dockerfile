# Build: compile newsintel into one self-contained binary.
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY .deno-version ./
RUN npm install -g "deno@$(cat .deno-version)"
COPY deno.json deno.lock ./
RUN deno install --frozen
COPY . .
RUN deno task compile

# Run: the binary as an unprivileged user, data and models on a volume.
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl \
  && rm -rf /var/lib/apt/lists/* \
  && useradd --system --uid 10001 --home-dir /app --create-home newsintel
WORKDIR /app
COPY --from=build /src/dist/newsintel /usr/local/bin/newsintel
USER newsintel
ENV PORT=8001 DATA_DIR=/app/data MODEL_DIR=/app/models LOG_JSON=1
VOLUME ["/app/data", "/app/models"]
EXPOSE 8001
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s \
  CMD curl -fsS http://127.0.0.1:8001/health || exit 1
ENTRYPOINT ["newsintel"]
CMD ["serve"]
