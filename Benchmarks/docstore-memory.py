#!/usr/bin/env python3
"""Peak memory of `lgsp serve` while a 1 GiB file is uploaded (tus, one streamed PATCH and then in
64 MiB chunks) and downloaded, each twice.

Starts the server on a fresh data folder (SQLite, seed data), uploads and downloads through loopback
while a thread samples the server's anonymous resident memory (RssAnon: heap, buffers, stacks — what
the process itself allocates) every 10 ms, and checks the SHA-256 of both directions. The limit applies
to the peak of that memory. Printed beside it: the process's high-water mark of all resident pages
(VmHWM), which also counts the file-backed pages of the 150 MB executable and its libraries that have
been touched (about 44 MiB, shared and reclaimable, the same idle or busy), and what the transfers added
to the idle figures.

usage: Benchmarks/docstore-memory.py [--lgsp .build/release/lgsp] [--size-mib 1024] [--limit-mib 64]
"""
import argparse, hashlib, json, os, sys, tempfile, threading, time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "interop"))
import requests  # noqa: E402
from lgsp_server import LGSPServer, free_port  # noqa: E402
from memory_sampler import Sampler  # noqa: E402

MiB = 1 << 20


class Chunks:
    """A file-like body that generates `size` bytes without holding them, hashing as it goes."""

    def __init__(self, size, seed):
        self.left, self.digest = size, hashlib.sha256()
        self.block = hashlib.sha256(seed).digest() * (MiB // 32)
        self.counter = 0

    def __iter__(self):
        while self.left > 0:
            n = min(MiB, self.left)
            chunk = self.counter.to_bytes(8, "big") + self.block[8:n]
            self.counter += 1
            self.left -= n
            self.digest.update(chunk)
            yield chunk


class Part:
    """The next `n` bytes of a chunk generator, with a length (so requests sends Content-Length, not chunked)."""

    def __init__(self, generator, n):
        self.generator, self.n = generator, n

    def __len__(self):
        return self.n

    def __iter__(self):
        sent = 0
        while sent < self.n:
            piece = next(self.generator)
            sent += len(piece)
            yield piece


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lgsp", default=".build/release/lgsp")
    ap.add_argument("--size-mib", type=int, default=1024)
    ap.add_argument("--limit-mib", type=int, default=64)
    args = ap.parse_args()
    size = args.size_mib * MiB
    port = free_port()
    with tempfile.TemporaryDirectory() as data:
        server = LGSPServer(os.path.abspath(args.lgsp), data_dir=data, port=str(port), extra_env={"LGSP_PUBLIC_URL": f"http://127.0.0.1:{port}"})
        with server:
            pid = server.proc.pid
            app = json.loads(server.run("client", "add", "--id", "do-bo-nho", "--name", "Đo bộ nhớ", "--type", "confidential",
                                        "--grant", "client_credentials", "--scope", "docstore.files"))
            token = requests.post(server.url + "/sso/token", data={"grant_type": "client_credentials", "scope": "docstore.files"},
                                  auth=(app["client"]["clientId"], app["clientSecret"])).json()["access_token"]
            auth = {"Authorization": f"Bearer {token}", "Tus-Resumable": "1.0.0"}
            sampler = Sampler(pid).__enter__()
            results = []
            for name, chunk in (("one PATCH", size), ("64 MiB PATCHes", 64 * MiB)):
                created = requests.post(server.url + "/api/v1/files/tus", headers={**auth, "Upload-Length": str(size)})
                url = created.headers["Location"]
                body = Chunks(size, name.encode())
                generator = iter(body)
                offset = 0
                while offset < size:
                    n = min(chunk, size - offset)

                    response = requests.patch(url, data=Part(generator, n), headers={**auth, "Upload-Offset": str(offset),
                                                                                    "Content-Type": "application/offset+octet-stream"})
                    assert response.status_code == 204, (response.status_code, response.text, dict(response.headers))
                    offset = int(response.headers["Upload-Offset"])
                upload_id = url.rsplit("/", 1)[1]
                stored = requests.get(f"{server.url}/api/v1/files/{upload_id}/metadata", headers=auth).json()["sha256"]
                down = hashlib.sha256()
                with requests.get(f"{server.url}/api/v1/files/{upload_id}", headers=auth, stream=True) as response:
                    for piece in response.iter_content(MiB):
                        down.update(piece)
                results.append((name, stored == body.digest.hexdigest(), down.hexdigest() == body.digest.hexdigest()))
            sampler.__exit__(None, None, None)
    print(f"lgsp serve, {args.size_mib} MiB uploaded (tus) and downloaded twice, SQLite, loopback")
    ok = sampler.report(args.limit_mib)
    for name, up, down in results:
        print(f"  {name:18} SHA-256 stored {'ok' if up else 'WRONG'}, downloaded {'ok' if down else 'WRONG'}")
        ok = ok and up and down
    print("OK" if ok else "FAILED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
