"""Updraft example: a Python web app using only the standard library.

Answers every GET with the app's name, the instance index and the port, read from the
environment the DEA gives each instance (VCAP_APPLICATION, PORT).
"""
import json
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

VCAP = json.loads(os.environ.get("VCAP_APPLICATION") or "{}")
PORT = int(os.environ.get("PORT") or os.environ.get("VCAP_APP_PORT") or "8080")


class Hello(BaseHTTPRequestHandler):
    def do_GET(self):
        body = "Hello from python: app={} instance={} port={}\n".format(
            VCAP.get("name", "?"), VCAP.get("instance_index", "?"), PORT).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


if __name__ == "__main__":
    print("listening on port", PORT, flush=True)
    ThreadingHTTPServer(("0.0.0.0", PORT), Hello).serve_forever()
