"""Threaded HTTP/1.1 (keep-alive) server, optionally TLS, on loopback.

Routes /_emulator/* to the control API and everything else to the AWS
pipeline (app.Emulator), then writes the reply, applying transport
faults (delay, hang, reset, close, malformed, truncated, oversized, midreset,
redirect, html, doctype, entities, deep, wide).
"""
import _thread
import socket
import ssl
import struct
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from . import control

MAX_BODY = 16 * 1024 * 1024
HANG_LIMIT = 600.0


class Server(ThreadingHTTPServer):
    """One thread per connection (kept alive between requests).

    The listen backlog is socketserver's 5 by default: 100 clients
    connecting at once then lose SYNs (a 1 s stall each) and get resets.
    The kernel caps this at net.core.somaxconn.
    """
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 1024

    def __init__(self, address, app, tls_context=None):
        self.app = app
        self.tls_context = tls_context
        self.stopping = threading.Event()
        super().__init__(address, Handler)

    @property
    def scheme(self):
        return "https" if self.tls_context else "http"

    def server_activate(self):
        super().server_activate()
        self.socket.setblocking(False)

    def _handle_request_noblock(self):
        """Accept every connection that is waiting, not one per wake-up.

        Under load the accepting thread competes for the GIL with every
        busy connection thread; accepting a burst at once (and starting
        threads without waiting for each to run, as Thread.start does)
        keeps a new client from waiting seconds for its first reply.
        """
        while True:
            try:
                request, client_address = self.get_request()
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return
            try:
                _thread.start_new_thread(self.process_request_thread,
                                         (request, client_address))
            except Exception:
                self.handle_error(request, client_address)
                self.shutdown_request(request)
                return

    def get_request(self):
        sock, addr = self.socket.accept()
        sock.setblocking(True)
        if self.tls_context is not None:
            # Handshake in the connection's own thread, not the accept loop.
            sock = self.tls_context.wrap_socket(sock, server_side=True,
                                                do_handshake_on_connect=False)
        return sock, addr

    def shutdown(self):
        self.stopping.set()
        super().shutdown()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # headers and body go out in separate writes: without TCP_NODELAY the
    # client's delayed ACK adds 40 ms to every keep-alive exchange
    disable_nagle_algorithm = True
    server_version = "AmazonRDSEmulator"
    sys_version = ""
    timeout = 300          # idle keep-alive connections

    def handle(self):
        if isinstance(self.connection, ssl.SSLSocket):
            try:
                self.connection.settimeout(10)
                self.connection.do_handshake()
                self.connection.settimeout(self.timeout)
            except (OSError, ssl.SSLError):
                self.close_connection = True
                return
        try:
            super().handle()
        except (ConnectionError, ssl.SSLError, socket.timeout):
            pass

    def log_message(self, fmt, *args):   # quiet; the request log has it all
        pass

    def do_GET(self):
        self._dispatch()

    def do_POST(self):
        self._dispatch()

    def do_PUT(self):
        self._dispatch()

    def do_DELETE(self):
        self._dispatch()

    # -- request ---------------------------------------------------------

    def _read_body(self):
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            total = 0
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                total += size
                if total > MAX_BODY:
                    raise ValueError("body too large")
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            raise ValueError("body too large")
        return self.rfile.read(length) if length else b""

    def _dispatch(self):
        try:
            body = self._read_body()
        except ValueError:
            self.close_connection = True
            self._send(413, [("Content-Type", "text/plain")], b"request body too large\n")
            return
        path = urlsplit(self.path).path
        if path.startswith("/_emulator/") or path == "/_emulator":
            status, payload = control.handle(self.server.app, self, self.command, self.path,
                                             body, self.client_address[0])
            self._send(status, [("Content-Type", "application/json")], payload)
            return
        served = self.server.app.metadata.handle(self.command, self.path, self.headers)
        if served is not None:
            status, ctype, payload, name = served
            self.server.app.log_metadata(self.command, path, name, status)
            self._send(status, [("Content-Type", ctype)], payload)
            return
        host = self.headers.get("Host") or "%s:%d" % self.server.server_address[:2]
        url = "%s://%s%s" % (self.server.scheme, host, self.path)
        reply = self.server.app.handle(self.command, url, self.headers, body)
        self._deliver(reply)

    # -- reply -----------------------------------------------------------

    def _send(self, status, headers, body):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    def _deliver(self, reply):
        fault = reply.fault
        kind = fault.kind if fault else None
        if kind == "delay":
            self._sleep(fault.delay if fault.delay is not None else 5.0)
        elif kind == "hang":
            self._sleep(min(fault.delay or HANG_LIMIT, HANG_LIMIT))
            self._abort(reset=False)
            return
        if kind == "reset":
            self._abort(reset=True)
            return
        if kind == "close":
            self._abort(reset=False)
            return
        body = reply.body or (b'<?xml version="1.0"?><Response><RequestId>%s</RequestId>'
                              b'</Response>' % reply.request_id.encode())
        status = reply.status or 200
        if kind == "malformed":
            self._send(200, reply.headers(), body[: len(body) // 2] + b"<<</not-xml & >")
            return
        if kind in ("truncated", "midreset"):
            # half of the promised body, then a close (truncated) or a reset
            self.send_response(200)
            for name, value in reply.headers():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self._abort(reset=(kind == "midreset"))
            return
        if kind == "oversized":
            self._send_padded(status, reply, body, fault.size)
            return
        if kind == "redirect":
            host = self.headers.get("Host") or "%s:%d" % self.server.server_address[:2]
            location = "%s://%s/?redirected=1" % (self.server.scheme, host)
            self._send(307, [("Location", location), ("Content-Type", "text/plain"),
                             ("x-amzn-RequestId", reply.request_id), ("Date", reply.date)],
                       b"Temporary Redirect\n")
            return
        if kind == "html":
            self._send(200, [("Content-Type", "text/html; charset=utf-8"), ("Date", reply.date)],
                       b"<html><head><title>Service Unavailable</title></head><body>"
                       b"<h1>The proxy could not reach the service</h1></body></html>")
            return
        if kind in ("doctype", "entities", "deep", "wide"):
            self._send(status, reply.headers(), hostile_body(kind, body, fault.size))
            return
        self._send(status, reply.headers(), body)

    def _send_padded(self, status, reply, body, size):
        """A well-formed reply made `size` bytes long with an XML comment."""
        cut = body.rfind(b"</")
        head, tail = body[:cut], body[cut:]
        pad = max(0, size - len(body) - len(b"<!--") - len(b"-->"))
        self.send_response(status)
        for name, value in reply.headers():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(head) + 7 + pad + len(tail)))
        self.end_headers()
        self.wfile.write(head + b"<!--")
        block = b" " * 65536
        while pad > 0:
            n = min(pad, len(block))
            self.wfile.write(block[:n])
            pad -= n
        self.wfile.write(b"-->" + tail)
        self.wfile.flush()

    def _sleep(self, seconds):
        self.server.stopping.wait(max(0.0, seconds))

    def _abort(self, reset):
        self.close_connection = True
        try:
            if reset:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                           struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass
        # Nothing may be written after this; make later writes no-ops.
        self.wfile = _NullWriter()


def hostile_body(kind, body, depth):
    """The reply made hostile: a DTD with an external entity, "billion
    laughs", or `size` nested (deep) or sibling (wide) elements before the
    root's end tag."""
    if body.startswith(b"<?xml"):
        body = body[body.index(b"?>") + 2:].lstrip()
    if kind in ("deep", "wide"):
        cut = body.rfind(b"</")
        inner = (b"<Deep>" * depth + b"</Deep>" * depth) if kind == "deep" else b"<Item/>" * depth
        return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body[:cut] + inner + body[cut:]
    if kind == "doctype":
        dtd = b'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/hostname">]>'
        ref = b"&xxe;"
    else:
        dtd = (b'<!DOCTYPE x [<!ENTITY lol "lol">'
               + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1
                                                           else b"&lol;") * 10)
                          for i in range(1, 10)) + b"]>")
        ref = b"&lol9;"
    if b"<RequestId>" in body:
        body = body.replace(b"<RequestId>", b"<RequestId>" + ref, 1)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + dtd + b"\n" + body


class _NullWriter:
    closed = False

    def write(self, data):
        return len(data)

    def flush(self):
        pass

    def close(self):
        pass


def tls_context(cert, key):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    return ctx
