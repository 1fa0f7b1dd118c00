#!/usr/bin/env python3
"""Peak memory of storing a large blob (acceptance: 512 MiB stored with peak RSS under 64 MiB).

Runs `lgsp blobs put` on a generated file and from a pipe, reads the child's peak resident set size
(getrusage RUSAGE_CHILDREN, ru_maxrss) and the same for a 1-byte blob as the baseline, then checks the
stored digest against hashlib. Exits non-zero when a limit is exceeded.

usage: Benchmarks/blob-memory.py [--lgsp .build/debug/lgsp] [--size-mib 512] [--limit-mib 64]
"""
import argparse, hashlib, os, resource, subprocess, sys, tempfile

def peak_rss_of(cmd, env, stdin=None):
    """Runs cmd in a fresh child and returns (stdout, peak RSS in KiB) of that child alone."""
    # A forked helper isolates RUSAGE_CHILDREN to this one command.
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        proc = subprocess.run(cmd, env=env, stdin=stdin, capture_output=True)
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        os.write(w, f"{proc.returncode}\n{peak}\n".encode() + proc.stdout + b"\n--stderr--\n" + proc.stderr)
        os._exit(0)
    os.close(w)
    data = b""
    while chunk := os.read(r, 65536):
        data += chunk
    os.waitpid(pid, 0)
    code, peak, rest = data.split(b"\n", 2)
    out, err = rest.split(b"\n--stderr--\n", 1)
    if int(code) != 0:
        sys.exit(f"{' '.join(cmd)} failed ({int(code)}): {err.decode()}")
    return out.decode().strip(), int(peak)

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lgsp", default=".build/debug/lgsp")
    ap.add_argument("--size-mib", type=int, default=512)
    ap.add_argument("--limit-mib", type=int, default=64)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, LGSP_DATA_DIR=os.path.join(tmp, "data"), LGSP_LOG_LEVEL="error")
        big = os.path.join(tmp, "big.bin")
        digest = hashlib.sha256()
        block = os.urandom(1 << 20)
        with open(big, "wb") as f:
            for i in range(args.size_mib):
                b = bytes([i & 0xFF]) + block[1:]
                f.write(b)
                digest.update(b)
        tiny = os.path.join(tmp, "tiny.bin")
        with open(tiny, "wb") as f:
            f.write(b"x")

        _, baseline = peak_rss_of([args.lgsp, "blobs", "put", tiny], env)
        out_file, peak_file = peak_rss_of([args.lgsp, "blobs", "put", big], env)
        with open(big, "rb") as f:
            out_pipe, peak_pipe = peak_rss_of([args.lgsp, "blobs", "put", "-"], env, stdin=f)

        expected = f"sha256:{digest.hexdigest()} {args.size_mib << 20}"
        ok = True
        for name, out in (("file", out_file), ("pipe", out_pipe)):
            if out != expected:
                print(f"FAIL {name}: stored {out!r}, expected {expected!r}")
                ok = False
        print(f"lgsp blobs put, {args.size_mib} MiB")
        print(f"  baseline (1 byte)   peak RSS {baseline / 1024:7.1f} MiB")
        print(f"  from a file         peak RSS {peak_file / 1024:7.1f} MiB  (+{(peak_file - baseline) / 1024:.1f} MiB over baseline)")
        print(f"  from a pipe         peak RSS {peak_pipe / 1024:7.1f} MiB  (+{(peak_pipe - baseline) / 1024:.1f} MiB over baseline)")
        for name, peak in (("file", peak_file), ("pipe", peak_pipe)):
            if peak > args.limit_mib * 1024:
                print(f"FAIL {name}: peak RSS {peak / 1024:.1f} MiB is over the {args.limit_mib} MiB limit")
                ok = False
        print("OK" if ok else "FAILED")
        sys.exit(0 if ok else 1)

if __name__ == "__main__":
    main()
