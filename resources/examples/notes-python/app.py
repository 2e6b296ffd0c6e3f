"""A tiny notes board: Python standard library only. Reads PORT and binds HOST, as SpawnAI apps do."""
import html
import json
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

NOTES = []  # in memory: the app is ephemeral by design

PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Notes</title>
<style>body{{font:16px system-ui;max-width:40rem;margin:3rem auto;padding:0 1rem}}
li{{padding:.4rem 0;border-bottom:1px solid #ddd}}input{{width:75%;padding:.5rem}}button{{padding:.5rem 1rem}}</style>
</head><body><h1>Notes</h1><form method="post"><input name="text" autofocus placeholder="Write a note">
<button>Add</button></form><ul>{items}</ul></body></html>"""


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/api/notes":
            self.reply(200, "application/json", json.dumps(NOTES))
            return
        items = "".join(f"<li>{html.escape(note)}</li>" for note in reversed(NOTES))
        self.reply(200, "text/html; charset=utf-8", PAGE.format(items=items))

    def do_POST(self):
        length = min(int(self.headers.get("Content-Length", 0)), 10_000)
        text = parse_qs(self.rfile.read(length).decode("utf-8", "replace")).get("text", [""])[0].strip()
        if text:
            NOTES.append(text[:500])
        self.send_response(303)
        self.send_header("Location", "/")
        self.end_headers()

    def reply(self, status, content_type, body):
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


if __name__ == "__main__":
    host, port = os.environ.get("HOST", "127.0.0.1"), int(os.environ.get("PORT", "8000"))
    print(f"notes listening on {host}:{port}", flush=True)
    ThreadingHTTPServer((host, port), Handler).serve_forever()
