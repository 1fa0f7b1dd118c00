#!/usr/bin/env python3
"""Interop of the document store with a real tus client (tuspy), end to end over real sockets:

- OPTIONS advertises tus 1.0.0, the extensions and Tus-Max-Size;
- tuspy uploads a 50 MiB file in 4 MiB chunks with Upload-Checksum (sha1), stops part-way; a second
  tuspy uploader resumes from the offset HEAD gives, and the SHA-256 the platform stores equals the
  local one (also read back whole and by Range);
- a chunk whose checksum does not match is refused with 460 and the offset does not move;
- crash: `lgsp serve` is killed with SIGKILL while a PATCH is streaming; after restart the upload
  resumes from the last acknowledged offset, nothing of the unfinished upload is readable or in the
  content store, and the finished file's SHA-256 is right.

usage: docstore_tus.py LGSP_BINARY [DATABASE_URL]   (run from Tests/interop)
"""
import hashlib, json, os, sys, tempfile, threading, time

import requests
from authlib.integrations.requests_client import OAuth2Session
from tusclient import client as tus_client
from tusclient.exceptions import TusUploadFailed

from lgsp_server import LGSPServer, check, free_port

MiB = 1 << 20
binary = os.path.abspath(sys.argv[1])
database_url = sys.argv[2] if len(sys.argv) > 2 else ""
port = free_port()
data_dir = tempfile.TemporaryDirectory()
work = tempfile.TemporaryDirectory()
env = {"LGSP_PUBLIC_URL": f"http://127.0.0.1:{port}"}


def make_file(name, size, seed):
    path = os.path.join(work.name, name)
    digest = hashlib.sha256()
    block = hashlib.sha256(seed.encode()).digest() * (MiB // 32)
    with open(path, "wb") as f:
        for i in range(size // MiB):
            chunk = i.to_bytes(4, "big") + os.urandom(60) + block[64:]
            f.write(chunk)
            digest.update(chunk)
    return path, digest.hexdigest()


def start():
    server = LGSPServer(binary, database_url, data_dir=data_dir.name, extra_env=env, port=str(port))
    server.__enter__()
    return server


server = start()
try:
    base = server.url + "/api/v1/files"
    app = json.loads(server.run("client", "add", "--id", "he-thong-ho-so", "--name", "Hệ thống hồ sơ điện tử", "--type", "confidential",
                                "--grant", "client_credentials", "--scope", "docstore.files"))
    oauth = OAuth2Session(app["client"]["clientId"], app["clientSecret"], scope="docstore.files", token_endpoint_auth_method="client_secret_basic")
    oauth.fetch_token(server.url + "/sso/token", grant_type="client_credentials")
    token = oauth.token["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    tus = tus_client.TusClient(base + "/tus", headers=auth)

    options = requests.options(base + "/tus")
    check(options.status_code == 204 and options.headers["Tus-Version"] == "1.0.0", "OPTIONS: tus 1.0.0")
    check(set(options.headers["Tus-Extension"].split(",")) >= {"creation", "creation-with-upload", "creation-defer-length", "expiration", "checksum", "termination"},
          f"OPTIONS: extensions {options.headers['Tus-Extension']}")
    check(int(options.headers["Tus-Max-Size"]) >= 1 << 30 and "sha256" in options.headers["Tus-Checksum-Algorithm"], "OPTIONS: Tus-Max-Size and checksum algorithms")

    # 50 MiB in 4 MiB chunks, interrupted at 20 MiB, resumed by another uploader.
    path, sha = make_file("ho-so.bin", 50 * MiB, "ho-so")
    metadata = {"filename": "Hồ sơ đăng ký kinh doanh.pdf", "filetype": "application/pdf"}
    first = tus.uploader(path, chunk_size=4 * MiB, metadata=metadata, upload_checksum=True)
    first.upload(stop_at=20 * MiB)
    url = first.url
    head = requests.head(url, headers={**auth, "Tus-Resumable": "1.0.0"})
    check(head.status_code == 200 and int(head.headers["Upload-Offset"]) == 20 * MiB, f"interrupted at {head.headers['Upload-Offset']} of {50 * MiB}")
    resumed = tus.uploader(path, url=url, chunk_size=4 * MiB, upload_checksum=True)
    check(resumed.offset == 20 * MiB, "a new tuspy uploader resumes from HEAD's offset")
    resumed.upload()
    upload_id = url.rsplit("/", 1)[1]
    info = requests.get(f"{base}/{upload_id}/metadata", headers=auth).json()
    check(info["sha256"] == sha and info["size"] == 50 * MiB, f"stored SHA-256 {info['sha256'][:16]}… equals the local one")
    check(info["name"] == "Hồ sơ đăng ký kinh doanh.pdf" and info["mediaType"] == "application/pdf", "Upload-Metadata kept the Vietnamese file name and type")
    downloaded = hashlib.sha256()
    with requests.get(f"{base}/{upload_id}", headers=auth, stream=True) as response:
        for chunk in response.iter_content(MiB):
            downloaded.update(chunk)
    check(downloaded.hexdigest() == sha, "downloaded whole: same SHA-256")
    with open(path, "rb") as f:
        f.seek(30 * MiB - 5)
        expected = f.read(MiB + 10)
    part = requests.get(f"{base}/{upload_id}", headers={**auth, "Range": f"bytes={30 * MiB - 5}-{31 * MiB + 4}"})
    check(part.status_code == 206 and part.content == expected, "a Range across segments reads the right bytes")

    # A chunk with a wrong checksum: 460, offset unchanged.
    small, _ = make_file("nho.bin", 2 * MiB, "nho")
    uploader = tus.uploader(small, chunk_size=512 * 1024, upload_checksum=True)
    uploader.upload_chunk()
    check(uploader.offset == 512 * 1024, "first chunk with a right checksum accepted")
    uploader._BaseUploader__checksum_algorithm = lambda data: hashlib.sha1(b"not the chunk")
    try:
        uploader.upload_chunk()
        check(False, "a chunk with a wrong checksum was accepted")
    except TusUploadFailed as error:
        check(error.status_code == 460, f"a chunk with a wrong checksum is refused with {error.status_code}")
    head = requests.head(uploader.url, headers={**auth, "Tus-Resumable": "1.0.0"})
    check(int(head.headers["Upload-Offset"]) == 512 * 1024, "and the offset did not move")

    # Crash in the middle of a PATCH.
    crash_path, crash_sha = make_file("crash.bin", 30 * MiB, "crash")
    crashing = tus.uploader(crash_path, chunk_size=8 * MiB, upload_checksum=True)
    crashing.upload(stop_at=8 * MiB)
    crash_url = crashing.url
    crash_id = crash_url.rsplit("/", 1)[1]
    sent_enough = threading.Event()

    def body():
        with open(crash_path, "rb") as f:
            f.seek(8 * MiB)
            for i in range(16):
                yield f.read(MiB)
                if i == 6:
                    sent_enough.set()
                    time.sleep(5)

    failure = []

    def patch():
        try:
            requests.patch(crash_url, data=body(), headers={**auth, "Tus-Resumable": "1.0.0", "Upload-Offset": str(8 * MiB),
                                                             "Content-Type": "application/offset+octet-stream"}, timeout=30)
        except requests.RequestException as error:
            failure.append(error)

    thread = threading.Thread(target=patch)
    thread.start()
    sent_enough.wait(30)
    time.sleep(1.0)
    server.proc.kill()
    server.proc.wait()
    thread.join()
    check(failure, "the PATCH in flight failed: the server was killed with SIGKILL mid-request")

    server = start()
    head = requests.head(crash_url, headers={**auth, "Tus-Resumable": "1.0.0"})
    check(head.status_code == 200 and int(head.headers["Upload-Offset"]) == 8 * MiB,
          f"after restart the offset is the last acknowledged one ({head.headers.get('Upload-Offset')})")
    unfinished = requests.get(f"{base}/{crash_id}", headers=auth)
    check(unfinished.status_code == 409, "the unfinished upload is not readable")
    stored = [name for _, _, names in os.walk(os.path.join(data_dir.name, "docstore", "content")) for name in names]
    check(not any(crash_id in name for name in stored), "nothing of it is in the content store")
    after = tus.uploader(crash_path, url=crash_url, chunk_size=8 * MiB, upload_checksum=True)
    after.upload()
    info = requests.get(f"{base}/{crash_id}/metadata", headers=auth).json()
    check(info["sha256"] == crash_sha, "resumed after the crash: the stored SHA-256 equals the local one")
    downloaded = hashlib.sha256(requests.get(f"{base}/{crash_id}", headers=auth).content).hexdigest()
    check(downloaded == crash_sha, "and it reads back whole")
finally:
    server.__exit__(None, None, None)
print("docstore tus interop: all checks passed")
