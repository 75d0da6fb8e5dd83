# selfserve: multi-stage build, slim non-root runtime with a data volume.
#
#   docker build -t selfserve .
#   docker run -p 8080:8080 -v selfserve-data:/data selfserve
#   docker run -p 8080:8080 -e DATABASE_URL=postgres://user:pass@db:5432/selfserve selfserve

# ---- build ------------------------------------------------------------------
FROM rust:1-bookworm AS builder
# libpq for diesel's PostgreSQL backend; SQLite is bundled (libsqlite3-sys).
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpq-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src

# Dependency layer: the manifests and lock file with stub sources, so that
# changing our code does not rebuild every dependency.
# .cargo/config.toml carries the bundled SQLite's compile flags: it must be
# here before the first build, or the cached dependency layer lacks them.
COPY .cargo/ .cargo/
COPY Cargo.toml Cargo.lock ./
COPY domain/Cargo.toml domain/
COPY persistence/Cargo.toml persistence/
COPY usecases/Cargo.toml usecases/
COPY api/Cargo.toml api/
COPY tests/Cargo.toml tests/
COPY bench/seed/Cargo.toml bench/seed/
RUN mkdir -p domain/src persistence/src usecases/src api/src tests/src bench/seed/src \
    && touch domain/src/lib.rs persistence/src/lib.rs usecases/src/lib.rs api/src/lib.rs tests/src/lib.rs \
    && echo 'fn main() {}' > api/src/main.rs \
    && echo 'fn main() {}' > bench/seed/src/main.rs \
    && cargo build --release --locked -p api --bin selfserve \
    && rm -rf domain/src persistence/src usecases/src api/src tests/src bench/seed/src

# The real workspace. COPY keeps the files' original modification times, which
# can be older than the stub build: touch them so cargo rebuilds our crates.
COPY . .
RUN find domain persistence usecases api tests -name '*.rs' -exec touch {} + \
    && cargo build --release --locked -p api --bin selfserve \
    && install -m 0755 target/release/selfserve /usr/local/bin/selfserve

# ---- run --------------------------------------------------------------------
FROM debian:bookworm-slim
# libpq5 for PostgreSQL, CA roots for TLS to it, curl for the health check.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpq5 ca-certificates curl \
    && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 selfserve \
    && useradd --system --uid 10001 --gid 10001 --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin selfserve \
    && mkdir -p /data /app \
    && chown selfserve:selfserve /data
COPY --from=builder /usr/local/bin/selfserve /usr/local/bin/selfserve
WORKDIR /app
COPY catalog.toml /app/catalog.toml

# The SQLite file and the generated HS256 secret live in the volume.
ENV SELFSERVE_BIND=0.0.0.0:8080 \
    DATABASE_URL=/data/selfserve.db \
    SELFSERVE_DATA_DIR=/data \
    SELFSERVE_CATALOG=/app/catalog.toml \
    SELFSERVE_METRICS_BIND=0.0.0.0:9464
VOLUME ["/data"]
USER selfserve
EXPOSE 8080 9464
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1
ENTRYPOINT ["/usr/local/bin/selfserve"]
CMD ["serve"]
