"""`make ui`: the Dagster webserver, the daemon (queue, sensors, schedule, run monitoring) and a
read-only file server for the published outputs, so the links in the UI (quality report, Data
Docs, gallery, a release's chart files, a document at a figure's line) open in the browser.

    python -m pipelines.ui [--host 127.0.0.1] [--port 3000] [--files-port 3001]

Everything binds to loopback unless told otherwise; Ctrl-C (SIGINT) or SIGTERM stops all three.
"""
from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from pipelines.resources import default_outputs_dir

BIN = Path(sys.executable).parent


class ReadOnlyFiles(SimpleHTTPRequestHandler):
    """GET and HEAD of the outputs folder, nothing else, no directory listing."""

    def list_directory(self, path):
        self.send_error(404, "no listing")
        return None

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


def serve_outputs(host: str, port: int, root: Path) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer((host, port), partial(ReadOnlyFiles, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=3000)
    parser.add_argument("--files-port", type=int, default=3001)
    args = parser.parse_args(argv)
    outputs = default_outputs_dir()
    outputs.mkdir(parents=True, exist_ok=True)
    files = serve_outputs(args.host, args.files_port, outputs)
    env = {**os.environ, "SESAM_OUTPUTS_URL": f"http://{args.host}:{args.files_port}"}
    workspace = ["-m", "pipelines.definitions"]
    children = [
        subprocess.Popen([str(BIN / "dagster-daemon"), "run", *workspace], env=env),
        subprocess.Popen([str(BIN / "dagster-webserver"), "--host", args.host, "--port",
                          str(args.port), *workspace], env=env)]
    print(f"Dagster UI: http://{args.host}:{args.port}  ·  published outputs: "
          f"http://{args.host}:{args.files_port}/ (charts/index.html, quality/report.html)",
          flush=True)

    def stop(*_):
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGINT)
        for child in children:
            try:
                child.wait(timeout=20)
            except subprocess.TimeoutExpired:
                child.kill()
        files.shutdown()
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while all(child.poll() is None for child in children):
        try:
            children[1].wait(timeout=1)
        except subprocess.TimeoutExpired:
            continue
    stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
