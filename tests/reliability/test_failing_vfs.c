/*
 * SQLite storage faults through a failing VFS: a disk that fills up after a
 * byte budget, and writes that fail with an I/O error. A flush that hits
 * them reports SINEW_IOERR, the file still holds exactly what it held, the
 * session keeps its changes, and once the disk has room again they are
 * written.
 */
#include "harness.h"
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

static sqlite3_vfs *base;
static sqlite3_vfs failing;
static long long budget = -1;      /* bytes the disk can still take; -1 = unlimited */
static int fail_io;                /* next write returns SQLITE_IOERR_WRITE */
static int faults;

typedef struct ffile {
    sqlite3_file base;
    sqlite3_file *real;
} ffile;

static int f_close(sqlite3_file *f) { ffile *p = (ffile *)f; int rc = p->real->pMethods->xClose(p->real); sqlite3_free(p->real); return rc; }
static int f_read(sqlite3_file *f, void *b, int n, sqlite3_int64 o) { ffile *p = (ffile *)f; return p->real->pMethods->xRead(p->real, b, n, o); }
static int f_write(sqlite3_file *f, const void *b, int n, sqlite3_int64 o)
{
    ffile *p = (ffile *)f;
    if (fail_io) {
        faults++;
        return SQLITE_IOERR_WRITE;
    }
    if (budget >= 0) {
        if (budget < n) {
            faults++;
            return SQLITE_FULL;
        }
        budget -= n;
    }
    return p->real->pMethods->xWrite(p->real, b, n, o);
}
static int f_truncate(sqlite3_file *f, sqlite3_int64 sz) { ffile *p = (ffile *)f; return p->real->pMethods->xTruncate(p->real, sz); }
static int f_sync(sqlite3_file *f, int fl) { ffile *p = (ffile *)f; return p->real->pMethods->xSync(p->real, fl); }
static int f_size(sqlite3_file *f, sqlite3_int64 *sz) { ffile *p = (ffile *)f; return p->real->pMethods->xFileSize(p->real, sz); }
static int f_lock(sqlite3_file *f, int l) { ffile *p = (ffile *)f; return p->real->pMethods->xLock(p->real, l); }
static int f_unlock(sqlite3_file *f, int l) { ffile *p = (ffile *)f; return p->real->pMethods->xUnlock(p->real, l); }
static int f_check(sqlite3_file *f, int *r) { ffile *p = (ffile *)f; return p->real->pMethods->xCheckReservedLock(p->real, r); }
static int f_ctl(sqlite3_file *f, int op, void *a) { ffile *p = (ffile *)f; return p->real->pMethods->xFileControl(p->real, op, a); }
static int f_sector(sqlite3_file *f) { ffile *p = (ffile *)f; return p->real->pMethods->xSectorSize(p->real); }
static int f_dev(sqlite3_file *f) { ffile *p = (ffile *)f; return p->real->pMethods->xDeviceCharacteristics(p->real); }

/* version 1 methods: no WAL shared memory, so the test database uses a rollback journal */
static const sqlite3_io_methods fmethods = {1, f_close, f_read, f_write, f_truncate, f_sync, f_size, f_lock,
                                            f_unlock, f_check, f_ctl, f_sector, f_dev, NULL, NULL, NULL, NULL,
                                            NULL, NULL};

static int f_open(sqlite3_vfs *v, const char *name, sqlite3_file *f, int flags, int *out)
{
    (void)v;
    ffile *p = (ffile *)f;
    p->real = sqlite3_malloc(base->szOsFile);
    if (!p->real) return SQLITE_NOMEM;
    memset(p->real, 0, (size_t)base->szOsFile);
    int rc = base->xOpen(base, name, p->real, flags, out);
    if (rc != SQLITE_OK) {
        sqlite3_free(p->real);
        p->base.pMethods = NULL;
        return rc;
    }
    p->base.pMethods = &fmethods;
    return SQLITE_OK;
}
static int v_delete(sqlite3_vfs *v, const char *n, int s) { (void)v; return base->xDelete(base, n, s); }
static int v_access(sqlite3_vfs *v, const char *n, int f, int *r) { (void)v; return base->xAccess(base, n, f, r); }
static int v_full(sqlite3_vfs *v, const char *n, int c, char *o) { (void)v; return base->xFullPathname(base, n, c, o); }
static int v_rand(sqlite3_vfs *v, int n, char *o) { (void)v; return base->xRandomness(base, n, o); }
static int v_sleep(sqlite3_vfs *v, int us) { (void)v; return base->xSleep(base, us); }
static int v_time(sqlite3_vfs *v, double *t) { (void)v; return base->xCurrentTime(base, t); }

static void install(void)
{
    base = sqlite3_vfs_find(NULL);
    memset(&failing, 0, sizeof failing);
    failing.iVersion = 1;
    failing.szOsFile = (int)sizeof(ffile);
    failing.mxPathname = base->mxPathname;
    failing.zName = "sinew-failing";
    failing.xOpen = f_open;
    failing.xDelete = v_delete;
    failing.xAccess = v_access;
    failing.xFullPathname = v_full;
    failing.xRandomness = v_rand;
    failing.xSleep = v_sleep;
    failing.xCurrentTime = v_time;
    sqlite3_vfs_register(&failing, 0);
}

typedef struct Note {
    int64_t id;
    char *text;
} Note;
static const sinew_field note_fields[] = {
    SINEW_FIELD(Note, id, SINEW_INT64, SINEW_FIELD_PK | SINEW_FIELD_AUTO),
    SINEW_FIELD(Note, text, SINEW_TEXT, 0),
};
static const unsigned note_pk[] = {0};
static const sinew_model note_model = SINEW_MODEL(Note, "Note", "notes", "note", note_fields, note_pk);

static int64_t count_notes(const char *url)
{
    sinew_db *db;
    th_ok(sinew_open(url, &db));
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    int64_t n;
    th_ok(sinew_count(s, &note_model, &n));
    sinew_session_free(s);
    sinew_close(db);
    return n;
}

static void run_fault(int disk_full)
{
    char url[512];
    snprintf(url, sizeof url, "sqlite:%s/vfs%d.db?vfs=sinew-failing", th_tmpdir(), disk_full);
    budget = -1;
    fail_io = 0;
    sinew_db *db;
    th_ok(sinew_open(url, &db));
    th_ok(sinew_exec(db, "PRAGMA journal_mode = DELETE"));
    th_ok(sinew_create_table(db, &note_model));
    th_ok(sinew_exec(db, "INSERT INTO notes (text) VALUES ('before')"));
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    static char big[4000];
    memset(big, 'x', sizeof big - 1);
    for (int i = 0; i < 200; i++) {
        Note *n;
        th_ok(sinew_new(s, &note_model, (void **)&n));
        n->text = big;
    }
    int before = faults;
    if (disk_full) budget = 64 * 1024;   /* room for a fraction of the 800 KB */
    else fail_io = 1;
    int rc = sinew_session_flush(s);
    assert_true(rc == SINEW_IOERR);
    assert_true(faults > before);
    assert_non_null(strstr(sinew_errmsg(), disk_full ? "full" : "disk I/O error"));
    budget = -1;
    fail_io = 0;
    assert_int_equal(count_notes(url), 1);          /* exactly what it held */
    assert_int_equal(sinew_session_pending(s), 200);
    th_ok(sinew_session_flush(s));                 /* room again: everything is written */
    assert_int_equal(count_notes(url), 201);
    sinew_session_free(s);
    sinew_close(db);
}

static void disk_full_during_flush(void **state) { (void)state; run_fault(1); }
static void io_error_during_flush(void **state) { (void)state; run_fault(0); }

int main(void)
{
    install();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(disk_full_during_flush),
        cmocka_unit_test(io_error_during_flush),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    print_message("failing VFS: %d storage faults injected\n", faults);
    return rc;
}
