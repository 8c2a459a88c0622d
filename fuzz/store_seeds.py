#!/usr/bin/python3
"""Seeds for the store decoder targets (fuzz/fuzz_store_*.c) from real
store files: every pack's data blob (fuzz_store_pack, prefixed with its
record count, and fuzz_store_envelope), every version's delta and snapshot
envelope (fuzz_store_envelope) and unwrapped body (fuzz_store_body, prefixed
with 1 for a delta, 0 for a snapshot), and every version row's body
(fuzz_store_version).  Used by fuzz/make_corpus.sh:
    store_seeds.py CORPUS_DIR STORE...
"""
import os
import sqlite3
import sys
import zlib


def unwrap(blob):
    codec = blob[0]
    i, raw, shift = 1, 0, 0
    while True:
        c = blob[i]
        i += 1
        raw |= (c & 0x7F) << shift
        shift += 7
        if not c & 0x80:
            break
    data = blob[i:]
    return data if codec == 0 else zlib.decompress(data)


def put(corpus, target, name, data):
    d = os.path.join(corpus, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def main():
    corpus = sys.argv[1]
    for store in sys.argv[2:]:
        tag = os.path.basename(store).split(".")[0]
        db = sqlite3.connect("file:%s?mode=ro&immutable=1" % store, uri=True)
        for first, count, data in db.execute("SELECT first, count, data FROM pack"):
            put(corpus, "fuzz_store_pack", "%s-pack-%d" % (tag, first), count.to_bytes(2, "big") + data)
            put(corpus, "fuzz_store_envelope", "%s-pack-%d" % (tag, first), data)
        for seq, body, delta, snap in db.execute("SELECT seq, body, delta, snapshot FROM version"):
            put(corpus, "fuzz_store_version", "%s-version-%d" % (tag, seq), body)
            for kind, blob in ((1, delta), (0, snap)):
                if blob is None:
                    continue
                name = "%s-%s-%d" % (tag, "delta" if kind else "snapshot", seq)
                put(corpus, "fuzz_store_envelope", name, blob)
                put(corpus, "fuzz_store_body", name, bytes([kind]) + unwrap(blob))


if __name__ == "__main__":
    main()
