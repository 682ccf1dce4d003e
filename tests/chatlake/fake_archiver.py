"""Stands in for `chatlake archive` in the stack tests.

Writes the CHATLAKE_* variables it was given to the file named by its argument, then waits for a
signal, like a long-running service.
"""

import json
import os
import signal
import sys
from pathlib import Path

if __name__ == "__main__":
    target = Path(sys.argv[1])
    seen = {key: value for key, value in os.environ.items() if key.startswith("CHATLAKE_")}
    scratch = target.with_suffix(".tmp")
    scratch.write_text(json.dumps(seen))
    scratch.replace(target)  # readers never see half a file
    signal.pause()
