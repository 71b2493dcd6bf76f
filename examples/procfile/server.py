"""Updraft example started by its Procfile (no buildpack detects a plain server.py)."""
import json
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

VCAP = json.loads(os.environ.get("VCAP_APPLICATION") or "{}")
PORT = int(os.environ["PORT"])


class Hello(BaseHTTPRequestHandler):
    def do_GET(self):
        body = "Hello from procfile: app={} instance={} port={}\n".format(
            VCAP.get("name", "?"), VCAP.get("instance_index", "?"), PORT).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


ThreadingHTTPServer(("0.0.0.0", PORT), Hello).serve_forever()
