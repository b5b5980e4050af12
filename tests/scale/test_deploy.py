"""The deployment examples in deploy/, checked by real parsers since no container engine runs
here: the compose file and the Kubernetes manifest by a YAML parser against what they must
say (two replicas sharing Redis, probes on /health and /ready, a balancer), the nginx
configuration by nginx itself (`nginx -t`)."""
import pathlib
import subprocess
import tempfile

import yaml

from cluster import NGINX

ROOT = pathlib.Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def test_the_compose_file_runs_two_replicas_sharing_redis_behind_nginx():
    c = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    s = c["services"]
    assert set(s) == {"redis", "connectwise-mcp", "balancer"}
    app = s["connectwise-mcp"]
    assert app["deploy"]["replicas"] == 2
    assert (DEPLOY / app["build"]["context"] / app["build"]["dockerfile"]).is_file()
    env = app["environment"]
    assert env["CW_MCP_REDIS_URL"].startswith("redis://redis:") and env["CW_MCP_REDIS_DOWN"] == "refuse"
    assert env["TRANSPORT"] == "http" and env["BIND"] == "0.0.0.0"
    assert "/ready" in " ".join(app["healthcheck"]["test"])
    assert app["depends_on"]["redis"]["condition"] == "service_healthy"
    lb = s["balancer"]
    assert lb["image"].startswith("nginx") and "./nginx.conf:/etc/nginx/nginx.conf:ro" in lb["volumes"]
    assert "ports" not in app, "replicas are reached through the balancer only"


def test_the_nginx_configuration_is_valid_nginx():
    conf = (DEPLOY / "nginx.conf").read_text()
    assert "connectwise-mcp:3000" in conf and "proxy_next_upstream error timeout;" in conf
    with tempfile.TemporaryDirectory() as d:
        # The service name resolves inside compose only; nginx -t resolves it now.
        local = pathlib.Path(d) / "nginx.conf"
        local.write_text(conf.replace("connectwise-mcp:3000", "127.0.0.1:3000"))
        r = subprocess.run([NGINX, "-t", "-p", d, "-c", str(local), "-g", f"pid {d}/nginx.pid; error_log {d}/error.log;"],
                           capture_output=True, text=True, timeout=30)
        assert r.returncode == 0, r.stderr
        assert "syntax is ok" in r.stderr


def test_the_kubernetes_manifest_has_probes_and_a_matching_service():
    docs = {(d["kind"], d["metadata"]["name"]): d for d in yaml.safe_load_all((DEPLOY / "kubernetes.yaml").read_text())}
    app = docs[("Deployment", "connectwise-mcp")]
    assert app["spec"]["replicas"] >= 2
    labels = app["spec"]["template"]["metadata"]["labels"]
    assert app["spec"]["selector"]["matchLabels"] == labels
    (c,) = app["spec"]["template"]["spec"]["containers"]
    ports = {p["name"]: p["containerPort"] for p in c["ports"]}
    assert c["livenessProbe"]["httpGet"] == {"path": "/health", "port": "http"}
    assert c["readinessProbe"]["httpGet"] == {"path": "/ready", "port": "http"}
    env = {e["name"]: e["value"] for e in c["env"]}
    assert int(env["PORT"]) == ports["http"]
    svc = docs[("Service", "connectwise-mcp")]
    assert svc["spec"]["selector"] == labels and svc["spec"]["ports"][0]["targetPort"] == "http"
    # The Redis the replicas are pointed at is the one the manifest runs.
    host = env["CW_MCP_REDIS_URL"].split("//")[1].split(":")[0]
    redis = docs[("Service", host)]
    assert redis["spec"]["selector"] == docs[("Deployment", host)]["spec"]["template"]["metadata"]["labels"]
