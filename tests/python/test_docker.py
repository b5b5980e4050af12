"""The Dockerfile, checked without a Docker engine (none runs here): a multi-stage build of
the locked binary, a small runtime image that runs as a non-root user, serves HTTP on all
interfaces (which the server only allows with role tokens) and has a health check on
/health; and a .dockerignore that keeps build output and secrets out of the context."""
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[2]


def instructions():
    text = (ROOT / "Dockerfile").read_text()
    joined = re.sub(r"\\\n\s*", " ", text)
    out = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            op, _, rest = line.partition(" ")
            out.append((op.upper(), rest.strip()))
    return out


def test_dockerfile_builds_locked_and_runs_unprivileged_with_a_health_check():
    ins = instructions()
    ops = [op for op, _ in ins]
    assert all(op in {"FROM", "WORKDIR", "COPY", "RUN", "ENV", "EXPOSE", "HEALTHCHECK", "USER", "ENTRYPOINT", "CMD", "ARG", "VOLUME"} for op in ops), ops
    froms = [rest for op, rest in ins if op == "FROM"]
    assert len(froms) == 2 and " AS build" in froms[0], "a build stage and a runtime stage"
    runtime = ins[ops.index("FROM", 1):]
    run_build = " ".join(rest for op, rest in ins[:ops.index("FROM", 1)] if op == "RUN")
    assert "--locked" in run_build and "--release" in run_build
    assert any(op == "COPY" and rest.startswith("--from=build") for op, rest in runtime)
    users = [rest for op, rest in runtime if op == "USER"]
    assert users and users[-1] not in ("root", "0"), "the server does not run as root"
    env = " ".join(rest for op, rest in runtime if op == "ENV")
    assert "TRANSPORT=http" in env and "BIND=0.0.0.0" in env
    # The write journal is kept where a restart of the container finds it.
    assert "CW_MCP_STATE_DIR=/var/lib/connectwise-mcp" in env
    assert [rest for op, rest in runtime if op == "VOLUME"] == ["/var/lib/connectwise-mcp"]
    health = [rest for op, rest in runtime if op == "HEALTHCHECK"]
    assert health and "/health" in health[0]
    assert [rest for op, rest in runtime if op == "ENTRYPOINT"] == ['["/usr/local/bin/connectwise-mcp"]']
    assert "EXPOSE" in ops


def test_dockerignore_keeps_build_output_and_history_out():
    ignored = {l.strip() for l in (ROOT / ".dockerignore").read_text().splitlines() if l.strip() and not l.startswith("#")}
    assert {"target/", ".git/"} <= ignored
