"""JSON report escaping on random names: quotes, backslashes, control characters, UTF-8 and bytes
that are not UTF-8, anywhere in a name and across the escaper's 16- and 8-byte blocks. Each
name must come back from a JSON parser as written, every byte that is not UTF-8 as U+FFFD.

Usage: python3 check_json_escaping.py path/to/migration-guard WORKDIR"""
import codecs
import json
import os
import random
import subprocess
import sys

codecs.register_error("per_byte", lambda e: ("\ufffd", e.start + 1))
mg, work = sys.argv[1], sys.argv[2]
random.seed(20261122)
path = os.path.join(work, "random_name.sql")
for trial in range(200):
    # At most 30 bytes: PostgreSQL cuts identifiers at 63.
    name = bytes(random.choice([random.randint(1, 0x7F), random.randint(0x80, 0xFF), ord('"'),
                                ord("\\"), 9, 10, 0xE2, 0xC3, ord("a")])
                 for _ in range(random.randint(1, 30)))
    with open(path, "wb") as f:
        f.write(b'ALTER TABLE t DROP COLUMN "' + name.replace(b'"', b'""') + b'";\n')
    out = subprocess.run([mg, "lint", "--no-config", "--format", "json", "--fail-on", "never",
                          path], capture_output=True, check=False)
    findings = json.loads(out.stdout)
    messages = [f["message"] for f in findings if f["rule"] == "drop-column"]
    expected = name.decode("utf-8", "per_byte")
    if len(messages) != 1 or '"%s"' % expected not in messages[0]:
        sys.exit("trial %d: %r not found in %r" % (trial, expected, messages))
