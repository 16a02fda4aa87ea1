"""Rank 1 stops answering before a collective (stuck, or killed): rank 0 must report it
within the configured timeout, or the launcher must end the job; never a hang."""
import os
import signal
import sys
import time

import arrbackend as ab

how = sys.argv[1] if len(sys.argv) > 1 else "stuck"
with ab.settings.override(split_bytes=0, comm_timeout=3):
    x = ab.arange(12.0)
    print("first", float(x.sum()), flush=True)
    if ab.world().rank == 1:
        if how == "killed":
            os.kill(os.getpid(), signal.SIGKILL)
        time.sleep(600)
    print("second", float((x * 3).sum()))
