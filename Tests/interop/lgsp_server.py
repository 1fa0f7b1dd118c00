"""Starts a real `lgsp serve` for an interop check and stops it with SIGTERM."""
import json, os, signal, socket, subprocess, tempfile, time, urllib.error, urllib.request


class LGSPServer:
    def __init__(self, binary, database_url="", data_dir=None, extra_env=None, port="0"):
        self.binary = binary
        self.tmp = tempfile.TemporaryDirectory() if data_dir is None else None
        self.data_dir = data_dir or self.tmp.name
        self.env = dict(os.environ, LGSP_DATA_DIR=self.data_dir, LGSP_PORT=port, LGSP_LOG_LEVEL="warning",
                        LGSP_DATABASE_URL=database_url, **(extra_env or {}))
        self.proc = None
        self.url = None

    def __enter__(self):
        self.proc = subprocess.Popen([self.binary, "serve"], env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        # Development prints credentials first; the line with the URL says the server is up.
        line = ""
        while "http://" not in line or "đang chạy" not in line:
            line = self.proc.stdout.readline()
            if not line:
                self.proc.kill()
                raise RuntimeError(f"lgsp serve did not start: {self.proc.stderr.read()}")
        self.url = next(word for word in line.split() if word.startswith("http://"))
        return self

    def __exit__(self, *exc):
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise RuntimeError("lgsp serve did not stop within 30 s of SIGTERM")
        if self.tmp:
            self.tmp.cleanup()
        if code != 0 and exc[0] is None:
            raise RuntimeError(f"lgsp serve exited with {code}")

    def run(self, *args, stdin=None):
        """Runs another lgsp command against the same data folder and database; returns its stdout."""
        proc = subprocess.run([self.binary, *args], env=self.env, input=stdin, capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"lgsp {' '.join(args)} failed: {proc.stderr}")
        return proc.stdout

    def get(self, path, timeout=10):
        """Returns (status, headers, parsed JSON or text)."""
        try:
            with urllib.request.urlopen(self.url + path, timeout=timeout) as response:
                body = response.read()
                status, headers = response.status, response.headers
        except urllib.error.HTTPError as error:
            body, status, headers = error.read(), error.code, error.headers
        content_type = headers.get("Content-Type", "")
        return status, headers, json.loads(body) if "json" in content_type else body.decode()


def wait_until(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return time.monotonic()
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def free_port():
    """A free TCP port on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def check(condition, message):
    """Fails the check with the message, or prints it as passed."""
    if not condition:
        raise AssertionError(message)
    print(f"  ok  {message}")
