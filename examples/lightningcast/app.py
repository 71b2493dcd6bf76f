"""Updraft example: lightningcast, a web app that eats resources on demand.

It drives scaling tests the way the Stackato write-up's app did: ask it to hold memory, disk or
CPU and the DEA pool feels it. Standard library only.

  GET /                                  what this instance holds (JSON)
  GET /eat/memory?mb=N                   hold N more MB of memory
  GET /eat/disk?mb=N                     write N more MB to a file in the instance directory
  GET /eat/cpu?seconds=S&threads=T       keep T cores busy for S seconds
  GET /release                           let go of everything
"""
import json
import multiprocessing
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

VCAP = json.loads(os.environ.get("VCAP_APPLICATION") or "{}")
PORT = int(os.environ.get("PORT") or os.environ.get("VCAP_APP_PORT") or "8080")
MAX_MB = 65536
MAX_SECONDS = 3600
MAX_THREADS = 64

lock = threading.Lock()
memory = []          # bytearrays held
disk_files = []      # paths written
burners = []         # (process, deadline)


def spin(until):
    while time.time() < until:
        pass


def holdings():
    with lock:
        now = time.time()
        burners[:] = [(p, d) for p, d in burners if p.is_alive()]
        return {
            "app": VCAP.get("name"),
            "instance": VCAP.get("instance_index"),
            "memory_mb": sum(len(b) for b in memory) // (1024 * 1024),
            "disk_mb": sum(os.path.getsize(f) for f in disk_files if os.path.exists(f))
            // (1024 * 1024),
            "cpu_threads": len(burners),
            "cpu_seconds_left": max([int(d - now) for _, d in burners] or [0]),
        }


def bounded(query, name, default, limit):
    raw = query.get(name, [str(default)])[0]
    value = int(raw)  # ValueError -> 400
    if value < 0 or value > limit:
        raise ValueError("{} must be between 0 and {}".format(name, limit))
    return value


class Handler(BaseHTTPRequestHandler):
    def reply(self, status, doc):
        body = (json.dumps(doc) + "\n").encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        url = urlparse(self.path)
        query = parse_qs(url.query)
        try:
            if url.path == "/eat/memory":
                mb = bounded(query, "mb", 64, MAX_MB)
                block = bytearray(mb * 1024 * 1024)
                for i in range(0, len(block), 4096):  # touch every page so it is resident
                    block[i] = 1
                with lock:
                    memory.append(block)
            elif url.path == "/eat/disk":
                mb = bounded(query, "mb", 64, MAX_MB)
                path = os.path.join(os.getcwd(), "eaten-{}.bin".format(len(disk_files)))
                with open(path, "wb") as f:
                    for _ in range(mb):
                        f.write(os.urandom(1024 * 1024))
                with lock:
                    disk_files.append(path)
            elif url.path == "/eat/cpu":
                seconds = bounded(query, "seconds", 30, MAX_SECONDS)
                threads = bounded(query, "threads", 1, MAX_THREADS)
                until = time.time() + seconds
                for _ in range(threads):
                    p = multiprocessing.Process(target=spin, args=(until,), daemon=True)
                    p.start()
                    with lock:
                        burners.append((p, until))
            elif url.path == "/release":
                with lock:
                    memory.clear()
                    for f in disk_files:
                        if os.path.exists(f):
                            os.remove(f)
                    disk_files.clear()
                    for p, _ in burners:
                        p.terminate()
                    burners.clear()
            elif url.path != "/":
                self.reply(404, {"error": "unknown path " + url.path})
                return
        except ValueError as e:
            self.reply(400, {"error": str(e)})
            return
        except MemoryError:
            self.reply(507, {"error": "out of memory"})
            return
        self.reply(200, holdings())

    def log_message(self, fmt, *args):
        pass


if __name__ == "__main__":
    print("lightningcast listening on port", PORT, flush=True)
    ThreadingHTTPServer(("0.0.0.0", PORT), Handler).serve_forever()
