"""Samples a process's anonymous resident memory (RssAnon) every 10 ms on a thread, for the memory checks."""
import threading, time


def status(pid, field):
    """A /proc/<pid>/status field in KiB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(field)


class Sampler:
    """`with Sampler(pid) as s:` … `s.idle_anon`, `s.idle_rss`, `s.peak_anon`, `s.peak_rss` (VmHWM) in KiB."""

    def __init__(self, pid):
        self.pid = pid

    def __enter__(self):
        self.idle_anon, self.idle_rss = status(self.pid, "RssAnon"), status(self.pid, "VmRSS")
        self.peak_anon = self.idle_anon
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run)
        self._thread.start()
        return self

    def _run(self):
        while not self._stop.is_set():
            self.peak_anon = max(self.peak_anon, status(self.pid, "RssAnon"))
            time.sleep(0.01)

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak_rss = status(self.pid, "VmHWM")

    def report(self, limit_mib):
        """Prints the figures; returns whether the anonymous peak is within `limit_mib`."""
        print(f"  anonymous memory    idle {self.idle_anon / 1024:6.1f} MiB, peak {self.peak_anon / 1024:6.1f} MiB (+{(self.peak_anon - self.idle_anon) / 1024:.1f} MiB)")
        print(f"  all resident pages  idle {self.idle_rss / 1024:6.1f} MiB, peak {self.peak_rss / 1024:6.1f} MiB (VmHWM, +{(self.peak_rss - self.idle_rss) / 1024:.1f} MiB)")
        if self.peak_anon > limit_mib * 1024:
            print(f"FAIL: peak anonymous memory {self.peak_anon / 1024:.1f} MiB is over the {limit_mib} MiB limit")
            return False
        return True
