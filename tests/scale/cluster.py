"""A scale-out deployment on loopback, from real parts: one simulated ConnectWise, a real Redis
(Debian's redis-server), two connectwise-mcp replicas sharing it, and a real nginx balancing
round-robin across them, with no sticky sessions. Each piece can be stopped and started again."""
from __future__ import annotations

import json
import os
import pathlib
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "python"))
from harness import BIN, Sim  # noqa: E402
import procs  # noqa: E402

EDITOR = "editor-token-0123456789abcdefghijklmnopqrstuvwxyz"
HEADERS = {"content-type": "application/json", "accept": "application/json, text/event-stream", "mcp-protocol-version": "2025-06-18"}
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(check, what: str, seconds: float = 10):
    end = time.time() + seconds
    while time.time() < end:
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.05)
    raise AssertionError(f"{what} did not come up within {seconds} s")


def get(url: str, timeout: float = 5):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def call(base: str, tool: str, args: dict, token: str = EDITOR, id: int = 1):
    """One raw JSON-RPC tools/call over HTTP: (HTTP status, the result or error object)."""
    body = {"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": {"name": tool, "arguments": args}}
    req = urllib.request.Request(f"{base}/mcp", data=json.dumps(body).encode(), method="POST",
                                 headers={**HEADERS, "authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            msg = json.loads(r.read())
            return r.status, msg.get("result") or msg.get("error")
    except urllib.error.HTTPError as e:
        return e.code, {"http": e.read().decode(errors="replace")}


def text(result: dict) -> str:
    return "\n".join(c.get("text", "") for c in result.get("content", []))


class Redis:
    def __init__(self, dir: pathlib.Path):
        self.port = free_port()
        self.dir = dir
        self.proc = None
        self.start()

    def start(self):
        self.proc = procs.spawn(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                                      "--dir", str(self.dir)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close() is None, "redis-server")

    def stop(self):
        procs.stop(self.proc)

    def keys(self) -> list[str]:
        out = subprocess.run(["redis-cli", "-p", str(self.port), "--scan"], capture_output=True, text=True, timeout=5).stdout
        return [k for k in out.split() if k]

    def dump(self, key: str) -> str:
        return subprocess.run(["redis-cli", "-p", str(self.port), "GET", key], capture_output=True, text=True, timeout=5).stdout

    def ttl(self, key: str) -> int:
        return int(subprocess.run(["redis-cli", "-p", str(self.port), "PTTL", key], capture_output=True, text=True, timeout=5).stdout.strip())

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


class Replica:
    def __init__(self, env: dict):
        self.env = env
        self.proc = None
        self.base = None
        self.start()

    def start(self, port: int | None = None):
        self.proc = procs.spawn([BIN, "--transport", "http", "--port", str(port or 0)], env=self.env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        for line in self.proc.stderr:
            m = re.search(r"MCP endpoint: (http://\S+)/mcp", line)
            if m:
                self.base = m.group(1)
                break
        assert self.base, "the replica did not report its endpoint"
        # Its log, kept for a failing test to read (CW_MCP_SCALE_LOG names a file).
        log = os.environ.get("CW_MCP_SCALE_LOG")
        sink = open(log, "a") if log else None

        def drain(stream=self.proc.stderr):
            for line in stream:
                if sink:
                    sink.write(line)
                    sink.flush()
        threading.Thread(target=drain, daemon=True).start()

    @property
    def port(self) -> int:
        return int(self.base.rsplit(":", 1)[1])

    def kill(self):
        """`kill -9`, as a crash ends it."""
        procs.kill(self.proc)

    def stop(self):
        """SIGTERM, as `docker stop` sends."""
        return procs.stop(self.proc)


class Nginx:
    """nginx in the foreground with its own prefix: round-robin across the replicas, passing
    a request on to the other replica only when the first could not be reached."""

    def __init__(self, dir: pathlib.Path, upstreams: list[int]):
        self.port = free_port()
        self.dir = dir
        servers = "\n".join(f"    server 127.0.0.1:{p} max_fails=1 fail_timeout=3s;" for p in upstreams)
        conf = f"""
worker_processes 1;
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {dir}/body;
  proxy_temp_path {dir}/proxy;
  fastcgi_temp_path {dir}/fastcgi;
  uwsgi_temp_path {dir}/uwsgi;
  scgi_temp_path {dir}/scgi;
  upstream mcp {{
{servers}
    keepalive 32;
  }}
  server {{
    listen 127.0.0.1:{self.port};
    location / {{
      proxy_pass http://mcp;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_next_upstream error timeout;
      proxy_read_timeout 60s;
    }}
  }}
}}
"""
        (dir / "nginx.conf").write_text(conf)
        self.proc = procs.spawn([NGINX, "-p", str(dir), "-c", str(dir / "nginx.conf")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: get(f"{self.base}/health")[0] == 200, "nginx")

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self):
        procs.stop(self.proc)


class Cluster:
    def __init__(self, rate: str = "off", when_down: str = "refuse", **extra: str):
        self.dir = pathlib.Path(tempfile.mkdtemp(prefix="cwmcp-scale-"))
        self.sim = Sim()
        self.redis = Redis(self.dir)
        env = self.sim.env()
        env.update({
            "MCP_TOKENS_EDITOR": f"eddie:{EDITOR}",
            "CW_MCP_REDIS_URL": self.redis.url,
            "CW_MCP_REDIS_DOWN": when_down,
            "MCP_RATE_LIMIT": rate,
            # nginx reaches the replicas from loopback, carrying every client (as in deploy/).
            "MCP_TRUSTED_PROXIES": "127.0.0.1",
            "RUST_LOG": "info",
            **extra,
        })
        self.replicas = [Replica(env), Replica(env)]
        self.nginx = Nginx(self.dir, [r.port for r in self.replicas])
        for r in self.replicas:
            wait_for(lambda: get(f"{r.base}/health")[1].get("redis") == "up", "the replica's Redis connection")

    def peak_in_flight(self) -> int:
        """The most requests the simulator answered at once since its log was cleared."""
        return get(f"{self.sim.site}/__sim/stats")[1]["peak_in_flight"]

    def writes(self) -> list[dict]:
        return [q for q in self.sim.requests() if q["method"] != "GET"]

    def close(self):
        for r in self.replicas:
            r.stop()
        self.nginx.stop()
        self.redis.stop()
        self.sim.close()
        shutil.rmtree(self.dir, ignore_errors=True)
