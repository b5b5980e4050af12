# connectwise-mcp for a shared HTTP deployment (see README, "Shared HTTP deployment").
#   docker build -t connectwise-mcp .
#   docker run -p 3000:3000 -e CW_SITE -e CW_COMPANY_ID -e CW_CLIENT_ID \
#     -e MCP_TOKENS_VIEWER -e MCP_TOKENS_EDITOR connectwise-mcp
# Without role tokens the server refuses to listen beyond loopback, so set at least one.

# Build: the lean binary (no embedded simulator) from the locked dependency set.
FROM rust:1-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p connectwise-mcp --no-default-features \
 && cp target/release/connectwise-mcp /connectwise-mcp

# Run: a small Debian with curl for the health check, as an unprivileged user.
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin mcp
COPY --from=build /connectwise-mcp /usr/local/bin/connectwise-mcp
# The write journal (what keeps "nothing written twice" across a crash) lives on a volume.
RUN mkdir -p /var/lib/connectwise-mcp && chown 10001 /var/lib/connectwise-mcp && chmod 700 /var/lib/connectwise-mcp
USER 10001
ENV TRANSPORT=http PORT=3000 BIND=0.0.0.0 CW_MCP_STATE_DIR=/var/lib/connectwise-mcp
VOLUME /var/lib/connectwise-mcp
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=3s --start-period=5s --retries=3 \
  CMD curl -fsS http://127.0.0.1:3000/health || exit 1
ENTRYPOINT ["/usr/local/bin/connectwise-mcp"]
