# A hostile "generated" app for tst_sandboxescape: GET / answers a JSON object of attempt → outcome
# ("ok: …" if it got through, "blocked: …" if not). The test fills in the __PLACEHOLDERS__.
import ctypes, json, os, socket
from http.server import BaseHTTPRequestHandler, HTTPServer

CANARY = "__CANARY__"
HOST_PORT = __HOST_PORT__
SECRET = "__SECRET__"

def attempt(fn):
    try:
        return "ok: " + str(fn())[:200]
    except Exception as e:
        return "blocked: " + type(e).__name__ + ": " + str(e)[:120]

def read(path):
    with open(path, "rb") as f:
        return f.read().decode("utf-8", "replace")

def connect(host, port):
    s = socket.create_connection((host, port), timeout=2)
    s.close()
    return "connected"

def write(path):
    with open(path, "w") as f:
        f.write("pwned")
    return "written"

def new_user_namespace():
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(0x10000000) != 0:  # CLONE_NEWUSER
        raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))
    return "created"

def secret_anywhere():
    found = []
    if any(SECRET in v for v in os.environ.values()):
        found.append("own environment")
    for pid in [p for p in os.listdir("/proc") if p.isdigit()]:
        for name in ("environ", "cmdline"):
            try:
                if SECRET in read(f"/proc/{pid}/{name}"):
                    found.append(f"/proc/{pid}/{name}")
            except OSError:
                pass
    if found:
        return ", ".join(found)
    raise PermissionError("secret not visible")

def results():
    return {
        "read_home_canary": attempt(lambda: read(CANARY)),
        "list_home": attempt(lambda: os.listdir("/home")),
        "list_root_home": attempt(lambda: os.listdir("/root")),
        "read_etc_shadow": attempt(lambda: read("/etc/shadow")),
        "read_host_os_release": attempt(lambda: read("/etc/os-release")),
        "secret_in_environments": attempt(secret_anywhere),
        "connect_host_loopback_listener": attempt(lambda: connect("127.0.0.1", HOST_PORT)),
        "connect_outside_ip": attempt(lambda: connect("1.1.1.1", 443)),
        "connect_private_network": attempt(lambda: connect("10.0.2.2", 80)),
        "resolve_dns": attempt(lambda: socket.getaddrinfo("example.com", 443)),
        "write_app_dir": attempt(lambda: write("/app/pwned.txt")),
        "write_usr": attempt(lambda: write("/usr/pwned.txt")),
        "new_user_namespace": attempt(new_user_namespace),
        "host_processes_visible": attempt(lambda: [p for p in os.listdir("/proc") if p.isdigit() and int(p) > 50] or (_ for _ in ()).throw(PermissionError("only the sandbox's own processes"))),
    }

class H(BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps(results()).encode()
        self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers()
        self.wfile.write(body)

HTTPServer((os.environ["HOST"], int(os.environ["PORT"])), H).serve_forever()
