"""An app bound to a filesystem service, for ContainmentIT: writes, appends to and reads files
in the service's directory (credentials.dir in VCAP_SERVICES) and says who it is.

  GET /dir                     the service directory's path
  GET /write?name=N&text=T     writes T to N (new file), answers the instance index
  GET /append?name=N&text=T    appends T to N
  GET /read?name=N             the content of N
Failures answer 500 with the exception.
"""
import json
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

PORT = int(os.environ.get("PORT") or os.environ.get("VCAP_APP_PORT") or "8080")
INDEX = json.loads(os.environ.get("VCAP_APPLICATION") or "{}").get("instance_index", "?")


def share_dir():
    services = json.loads(os.environ.get("VCAP_SERVICES") or "{}")
    for bindings in services.values():
        for b in bindings:
            d = b.get("credentials", {}).get("dir")
            if d:
                return d
    raise OSError("no filesystem service bound")


def path(name):
    if "/" in name or name.startswith("."):
        raise ValueError("bad name")
    return os.path.join(share_dir(), name)


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        url = urlparse(self.path)
        q = {k: v[0] for k, v in parse_qs(url.query).items()}
        try:
            if url.path == "/dir":
                body = share_dir()
            elif url.path == "/write":
                with open(path(q["name"]), "x") as f:
                    f.write(q["text"])
                body = str(INDEX)
            elif url.path == "/append":
                with open(path(q["name"]), "a") as f:
                    f.write(q["text"])
                body = str(INDEX)
            elif url.path == "/read":
                with open(path(q["name"])) as f:
                    body = f.read()
            else:
                body = "fsapp instance %s" % INDEX
            status = 200
        except BaseException as e:  # noqa: BLE001 - the test reads the reason
            body, status = type(e).__name__ + ": " + str(e), 500
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, fmt, *args):
        pass


if __name__ == "__main__":
    ThreadingHTTPServer(("0.0.0.0", PORT), Handler).serve_forever()
