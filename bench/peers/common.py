"""common.py - what the Python peers of bench/peers share: the sizes, the
untimed setup SQL (the same text as bench/workloads.c), W4's key sequence,
timing, and the result lines run.sh collects. The ORM code is in each
peer's own file; nothing here goes through an ORM."""
import sqlite3
import sys
import time

N_USERS, N_GETS, N_UPDATES = 100000, 10000, 10000

DDL = ('CREATE TABLE IF NOT EXISTS "users" ("id" INTEGER PRIMARY KEY AUTOINCREMENT, '
       '"name" TEXT NOT NULL, "email" TEXT NOT NULL, "age" INTEGER NOT NULL)')
CLEAR = ["DELETE FROM users", "DELETE FROM sqlite_sequence"]


def fill_sql(n):
    return ("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < %d) "
            "INSERT INTO users (id, name, email, age) SELECT x, 'user' || x, "
            "'user' || x || '@example.com', x %% 90 FROM c" % n)


def keys(n_gets, n_users):
    """W4's keys: the xorshift32 sequence of bench/workloads.c, 1-based."""
    x = 2463534242
    for _ in range(n_gets):
        x ^= (x << 13) & 0xFFFFFFFF
        x ^= x >> 17
        x ^= (x << 5) & 0xFFFFFFFF
        yield x % n_users + 1


def args():
    """--db PATH --rounds N [--quick] [--only W1,W3]"""
    a = sys.argv[1:]
    opt = {"db": None, "rounds": 3, "quick": False, "only": None}
    i = 0
    while i < len(a):
        if a[i] == "--quick":
            opt["quick"] = True
        elif a[i] in ("--db", "--rounds", "--only") and i + 1 < len(a):
            opt[a[i][2:]] = a[i + 1]
            i += 1
        else:
            sys.exit("usage: %s --db PATH [--rounds N] [--quick] [--only W1,W3]" % sys.argv[0])
        i += 1
    if not opt["db"]:
        sys.exit("%s: --db PATH is required" % sys.argv[0])
    opt["rounds"] = 1 if opt["quick"] else int(opt["rounds"])
    return opt


def run(peer, version, workloads, setup, opt):
    """workloads: [(id, setup_kind, fn)]; setup(kind) prepares the table untimed,
    fn() does the timed work and returns its checksum."""
    global N_USERS, N_GETS, N_UPDATES
    if opt["quick"]:
        N_USERS, N_GETS, N_UPDATES = 300, 200, 200
    only = opt["only"].split(",") if opt["only"] else None
    print("VERSION %s %s %s" % (peer, version, sqlite3.sqlite_version), flush=True)
    for wid, kind, fn in workloads:
        if only and wid not in only:
            continue
        if not opt["quick"]:
            # one untimed run at a tenth of the size first: what a long-running
            # program has already paid (imports, statement caches, mapper setup)
            sizes = N_USERS, N_GETS, N_UPDATES
            N_USERS, N_GETS, N_UPDATES = N_USERS // 10, N_GETS // 10, N_UPDATES // 10
            setup(kind)
            fn()
            N_USERS, N_GETS, N_UPDATES = sizes
        for r in range(opt["rounds"]):
            setup(kind)
            t0 = time.perf_counter()
            checksum = fn()
            ms = (time.perf_counter() - t0) * 1e3
            print("RESULT %s %s %d %.2f %d" % (peer, wid, r, ms, checksum), flush=True)
