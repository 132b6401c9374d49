"""table.py RESULTS SINEW [SINEW_SYS] - the table run.sh prints: each peer's median per
workload beside sinew's own (sinew_bench's WAL-file rows, same run), and the
ratio peer / sinew. SINEW_SYS, if given, is sinew_bench built on the
system's SQLite (a row for reference; the ratios are to SINEW). RESULTS holds the peers' lines ("VERSION peer version
sqlite", "RESULT peer W round ms checksum"); SINEW is sinew_bench's output.
Exits non-zero when two peers computed different checksums for a workload."""
import statistics
import sys

WORKLOADS = ["W1", "W3", "W4", "W5"]
WHAT = {
    "W1": "insert 100,000 users one by one, one transaction, keys read back",
    "W3": "load all 100,000 users into objects",
    "W4": "10,000 random gets by key (a fresh session every 100 where the ORM has one)",
    "W5": "change one column of 10,000 loaded objects and write them, one transaction",
}
# peers whose documented way to write W1's and W5's objects is one unit-of-work
# flush (GOM: one resource-group write): compared with sinew's one flush (W9, W10)
FLUSH_PEERS = {"SQLAlchemy", "MikroORM", "GOM"}
FLUSH_OF = {"W1": "W9", "W5": "W10"}


def read_sinew(path):
    """sinew_bench's rows of the WAL file, over every run in the file: {W: (median
    of sinew ms, median of raw ms)}, and the SQLite version"""
    runs, sqlite = {}, "?"
    for line in open(path):
        if line.startswith("sinew_bench:") and "SQLite" in line:
            sqlite = line.rsplit("SQLite", 1)[1].strip()
        cells = [c.strip() for c in line.split("|")]
        if len(cells) > 6 and cells[2] == "WAL file":
            runs.setdefault(cells[1], []).append((float(cells[4]), float(cells[5])))
    out = {w: (statistics.median(a for a, _ in v), statistics.median(b for _, b in v)) for w, v in runs.items()}
    return out, sqlite


def main():
    results, sinew_path = sys.argv[1], sys.argv[2]
    times, sums, versions, order = {}, {}, {}, []
    for line in open(results):
        f = line.split()
        if f[:1] == ["VERSION"]:
            versions[f[1]] = (f[2], f[3] if len(f) > 3 else "?")
            if f[1] not in order:
                order.append(f[1])
        elif f[:1] == ["RESULT"]:
            times.setdefault((f[1], f[2]), []).append(float(f[4]))
            sums.setdefault(f[2], {}).setdefault(int(f[5]), []).append(f[1])
    bad = 0
    for w, by_sum in sorted(sums.items()):
        if len(by_sum) > 1:
            print("checksum mismatch in %s: %s" % (w, by_sum), file=sys.stderr)
            bad = 1
    sinew, sqlite = read_sinew(sinew_path)
    sys_rows = read_sinew(sys.argv[3]) if len(sys.argv) > 3 else None

    def cell(ms, base):
        if ms is None:
            return "-", "-"
        return "%.1f" % ms, ("%.1fx" % (ms / base) if base else "?")

    head = "| | version | SQLite |" + "".join(" %s ms | x |" % w for w in WORKLOADS)
    print(head)
    print("|---|---|---|" + "---:|---:|" * len(WORKLOADS))
    row = "| sinew (sinew_save per object) | | %s |" % sqlite
    for w in WORKLOADS:
        row += " %s | 1 |" % ("%.1f" % sinew[w][0] if w in sinew else "-")
    print(row)
    row = "| sinew, one flush (W9 for W1, W10 for W5) | | %s |" % sqlite
    for w in WORKLOADS:
        f = FLUSH_OF.get(w)
        row += (" %.1f | 1 |" % sinew[f][0]) if f in sinew else " | |"
    print(row)
    row = "| hand-written C (sinew_bench's raw side) | | %s |" % sqlite
    for w in WORKLOADS:
        ms, x = cell(sinew[w][1] if w in sinew else None, sinew[w][0] if w in sinew else 0)
        row += " %s | %s |" % (ms, x)
    print(row)
    if sys_rows:
        srows, ssqlite = sys_rows
        for label, flush in (("sinew on the system SQLite", False), ("the same, one flush", True)):
            row = "| %s | | %s |" % (label, ssqlite)
            for w in WORKLOADS:
                f = FLUSH_OF.get(w) if flush else w
                ms, x = cell(srows[f][0] if f in srows else None, sinew[f][0] if f in sinew else 0)
                row += " %s | %s |" % (ms, x) if f else " | |"
            print(row)
        row = "| hand-written C on the system SQLite | | %s |" % ssqlite
        for w in WORKLOADS:
            ms, x = cell(srows[w][1] if w in srows else None, sinew[w][0] if w in sinew else 0)
            row += " %s | %s |" % (ms, x)
        print(row)
    for peer in order:
        v, sq = versions[peer]
        name = peer + (" (one flush)" if peer in FLUSH_PEERS else "")
        row = "| %s | %s | %s |" % (name, v, sq)
        for w in WORKLOADS:
            ts = times.get((peer, w))
            base_w = FLUSH_OF.get(w, w) if peer in FLUSH_PEERS else w
            base = sinew[base_w][0] if base_w in sinew else 0
            ms, x = cell(statistics.median(ts) if ts else None, base)
            row += " %s | %s |" % (ms, x)
        print(row)
    print()
    for w in WORKLOADS:
        print("- %s: %s" % (w, WHAT[w]))
    print("- x: the peer's median over sinew's median in the same run (W1/W5 of a one-flush peer: over sinew's W9/W10)")
    sys.exit(bad)


main()
