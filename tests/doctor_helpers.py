"""Services for the doctor's tests, all on loopback: certificates from a throwaway CA
(openssl), a TLS front that relays to a ``meetup serve`` (what Caddy does), and a tiny SMTP
server that answers EHLO."""

from __future__ import annotations

import socket
import ssl
import subprocess
import threading
from pathlib import Path


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


class ThrowawayCA:
    """A certificate authority of its own in ``folder``; ``issue`` makes a leaf for names."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key",
                 "-out", "ca.pem", "-days", "30", "-subj", "/CN=Meetup test CA", cwd=folder)
        self.ca_file = str(folder / "ca.pem")

    def issue(self, name: str, *, days: int = 30, dns: str = "localhost",
              ip: str | None = "127.0.0.1") -> tuple[str, str]:
        key, csr, pem = f"{name}.key", f"{name}.csr", f"{name}.pem"
        ext = self.folder / f"{name}.ext"
        ext.write_text("subjectAltName=DNS:" + dns + (f",IP:{ip}" if ip else "") + "\n")
        _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr,
                 "-subj", f"/CN={dns}", cwd=self.folder)
        _openssl("x509", "-req", "-in", csr, "-CA", "ca.pem", "-CAkey", "ca.key",
                 "-CAcreateserial", "-out", pem, "-days", str(days), "-extfile", ext.name,
                 cwd=self.folder)
        return str(self.folder / pem), str(self.folder / key)


class TlsFront:
    """Accepts TLS on a loopback port and relays the bytes to ``target_port``: HTTPS in front
    of a worker. ``use`` swaps the certificate, ``target_port`` the worker."""

    def __init__(self, certificate: tuple[str, str], target_port: int, port: int = 0) -> None:
        self.target_port = target_port
        self.use(certificate)
        self.listener = socket.create_server(("127.0.0.1", port))
        self.port = self.listener.getsockname()[1]
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def use(self, certificate: tuple[str, str]) -> None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*certificate)
        self.context = context

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            client = self.context.wrap_socket(conn, server_side=True)
            upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=10)
        except OSError:
            conn.close()
            return
        threading.Thread(target=_pump, args=(upstream, client), daemon=True).start()
        _pump(client, upstream)

    def close(self) -> None:
        self.listener.close()


def _pump(source: socket.socket, sink: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass
    finally:
        for sock in (source, sink):
            try:
                sock.close()
            except OSError:
                pass


class TinySmtp:
    """Answers the greeting, EHLO and QUIT like a mail server; nothing is ever sent."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.ehlos = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            with conn, conn.makefile("rwb") as stream:
                stream.write(b"220 tiny.test ESMTP\r\n")
                stream.flush()
                for line in stream:
                    if line.upper().startswith(b"EHLO"):
                        self.ehlos += 1
                        stream.write(b"250-tiny.test\r\n250 SIZE 1000000\r\n")
                    elif line.upper().startswith(b"QUIT"):
                        stream.write(b"221 bye\r\n")
                        stream.flush()
                        break
                    else:
                        stream.write(b"502 not here\r\n")
                    stream.flush()

    def close(self) -> None:
        self.listener.close()
