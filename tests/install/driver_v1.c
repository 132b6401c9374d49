/*
 * driver_v1.c - an out-of-tree driver: a wrapper around the SQLite driver that
 * declares driver interface version 1, built from sinew's public headers only
 * (tests/install/CMakeLists.txt gives it include/ and nothing else;
 * check_install.sh builds it again against the installed tree).
 *
 * Version 1 has no column_cell. The driver struct is placed so that it ends at
 * a page that cannot be read: if sinew read any member past version 1 the
 * program would crash. A real query then runs through it end to end (create,
 * insert, select into objects), so hydration must use column_storage and the
 * typed readers, which the wrapper counts. Its open() has the version-1
 * parameter order, (&conn, url), stored with SINEW_DRIVER_OPEN_V1: sinew
 * calls it through an adapter (interface version 6 put the out-parameter last).
 */
#include <sinew/sinew.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

typedef struct Note {
    int64_t id;
    char *title;
    double score;
} Note;

static const sinew_field note_fields[] = {
    SINEW_FIELD(Note, id, SINEW_INT64, SINEW_FIELD_PK | SINEW_FIELD_AUTO),
    SINEW_FIELD(Note, title, SINEW_TEXT, 0),
    SINEW_FIELD(Note, score, SINEW_DOUBLE, 0),
};
static const unsigned note_pk[] = {0};
static const sinew_model note_model = SINEW_MODEL(Note, "Note", "notes", "note", note_fields, note_pk);

static unsigned long nprepare, nstorage, nopen;

/* open() as interface version 1 declares it: the out-parameter first */
static int w_open(sinew_conn **out, const sinew_url *url)
{
    nopen++;
    if (!out || !url || !url->scheme) return sinew_error_set(SINEW_MISUSE, "driver_v1: open's arguments swapped");
    return sinew_sqlite_driver.open(url, out);
}

static int w_prepare(sinew_conn *c, const char *sql, sinew_stmt **out)
{
    nprepare++;
    return sinew_sqlite_driver.prepare(c, sql, out);
}

static sinew_storage w_column_storage(sinew_stmt *st, int i)
{
    nstorage++;
    return sinew_sqlite_driver.column_storage(st, i);
}

#define CHECK(cond)                                                                    \
    do {                                                                               \
        if (!(cond)) {                                                                 \
            fprintf(stderr, "driver_v1: %s:%d: %s failed (%s)\n", __FILE__, __LINE__, #cond, \
                    sinew_errmsg());                                                   \
            return 1;                                                                  \
        }                                                                              \
    } while (0)

int main(void)
{
    /* the version-1 part of the struct, ending where an unreadable page begins */
    size_t v1 = offsetof(sinew_driver, column_cell);
    long page = sysconf(_SC_PAGESIZE);
    char *mem = mmap(NULL, (size_t)page * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(mem != MAP_FAILED);
    CHECK(mprotect(mem + page, (size_t)page, PROT_NONE) == 0);
    sinew_driver *d = (sinew_driver *)(void *)(mem + page - v1);
    memcpy(d, &sinew_sqlite_driver, v1);
    static const char *const schemes[] = {"wrapped", NULL};
    d->version = 1;
    d->name = "wrapped";
    d->schemes = schemes;
    d->dialect = sinew_sqlite_driver.dialect;   /* the public dialect type: reused as it is */
    d->open = SINEW_DRIVER_OPEN_V1(w_open);
    d->prepare = w_prepare;
    d->column_storage = w_column_storage;
    CHECK(sinew_register_driver(d) == SINEW_OK);

    sinew_db *db;
    CHECK(sinew_open("wrapped::memory:", &db) == SINEW_OK);
    CHECK(nopen == 1);
    CHECK(sinew_create_table(db, &note_model) == SINEW_OK);
    sinew_session *s;
    CHECK(sinew_session_new(db, &s) == SINEW_OK);
    static const char *const titles[] = {"first", "second", "third"};
    for (int i = 0; i < 3; i++) {
        Note *n;
        CHECK(sinew_new(s, &note_model, (void **)&n) == SINEW_OK);
        n->title = sinew_strdup(s, titles[i]);
        n->score = 1.5 * i;
        CHECK(sinew_save(s, &note_model, n) == SINEW_OK);
    }
    sinew_session_free(s);

    CHECK(sinew_session_new(db, &s) == SINEW_OK);
    sinew_query *q = sinew_query_new(s, &note_model);
    CHECK(q != NULL);
    CHECK(sinew_where(q, sinew_gt(sinew_column(&note_model, 2), sinew_v_double(1.0))) == SINEW_OK);
    CHECK(sinew_order(q, sinew_column(&note_model, 0), SINEW_DESC) == SINEW_OK);
    unsigned long storage_before = nstorage;
    sinew_list got;
    CHECK(sinew_all(q, &got) == SINEW_OK);
    CHECK(got.count == 2);
    const Note *a = got.items[0], *b = got.items[1];
    CHECK(a->id == 3 && strcmp(a->title, "third") == 0 && a->score == 3.0);
    CHECK(b->id == 2 && strcmp(b->title, "second") == 0 && b->score == 1.5);
    /* hydration read each of the 2 x 3 cells through column_storage: no column_cell here */
    CHECK(nstorage - storage_before >= 6);
    CHECK(nprepare > 0);
    sinew_query_free(q);
    sinew_session_free(s);
    sinew_close(db);
    printf("driver_v1: a version-1 driver from outside the tree ran a query (%lu prepares, %lu column_storage calls)\n",
           nprepare, nstorage);
    return 0;
}
