/*
 * The Chinook database (a schema nobody here wrote: composite keys, a
 * self-reference, NUMERIC money, DATETIME) read through code that sinew
 * generated from it: counts, known rows, the composite key, the
 * self-reference, relations both ways, and typed queries. On every backend:
 * on PostgreSQL the same rows are copied into a database of the test's own
 * (chinook_db.h).
 */
#include "chinook_db.h"
#include "chinook.h"
#include <stdio.h>
#include <string.h>

static sinew_db *open_chinook(void) { return chinook_open(); }

static void counts_and_known_rows(void **state)
{
    (void)state;
    sinew_db *db = open_chinook();
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    int64_t n;
    th_ok(album_count(s, &n));
    assert_int_equal(n, 347);
    th_ok(artist_count(s, &n));
    assert_int_equal(n, 275);
    th_ok(track_count(s, &n));
    assert_int_equal(n, 3503);
    th_ok(playlist_track_count(s, &n));
    assert_int_equal(n, 8715);
    Album *a;
    th_ok(album_get(s, 1, &a));
    assert_string_equal(a->Title, "For Those About To Rock We Salute You");
    Artist *ar;
    th_ok(album_Artist(s, a, &ar));
    assert_string_equal(ar->Name, "AC/DC");
    album_list albums;
    th_ok(artist_Albums(s, ar, &albums));
    assert_int_equal(albums.count, 2);
    Invoice *inv;
    th_ok(invoice_get(s, 1, &inv));
    assert_string_equal(inv->Total, "1.98");          /* NUMERIC money, exact text */
    char when[32];
    sinew_timestamp_format(inv->InvoiceDate, when);
    assert_string_equal(when, "2021-01-01 00:00:00.000000");
    Track *t;
    th_ok(track_get(s, 1, &t));
    assert_string_equal(t->UnitPrice, "0.99");
    assert_int_equal(album_get(s, 100000, &a), SINEW_NOTFOUND);
    sinew_session_free(s);
    sinew_close(db);
}

static void composite_key_and_self_reference(void **state)
{
    (void)state;
    sinew_db *db = open_chinook();
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    PlaylistTrack *pt;
    th_ok(playlist_track_get(s, 1, 3402, &pt));
    assert_int_equal(pt->PlaylistId, 1);
    assert_int_equal(pt->TrackId, 3402);
    Employee *nancy;
    th_ok(employee_get(s, 2, &nancy));
    assert_string_equal(nancy->FirstName, "Nancy");
    assert_true(nancy->has_ReportsTo);
    Employee *boss;
    th_ok(employee_Employee(s, nancy, &boss));       /* the ReportsTo self-reference */
    assert_int_equal(boss->EmployeeId, 1);
    assert_false(boss->has_ReportsTo);
    employee_list reports;
    th_ok(employee_Employees(s, boss, &reports));
    assert_true(reports.count >= 1);
    sinew_session_free(s);
    sinew_close(db);
}

static void typed_queries_with_generated_columns(void **state)
{
    (void)state;
    sinew_db *db = open_chinook();
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    sinew_query *q = track_query(s);
    th_ok(sinew_where(q, sinew_eq(TRACK_ALBUM_ID, sinew_v_int64(1))));
    th_ok(sinew_order(q, TRACK_TRACK_ID, SINEW_ASC));
    track_list tracks;
    th_ok(track_all(q, &tracks));
    sinew_query_free(q);
    assert_int_equal(tracks.count, 10);
    assert_int_equal(tracks.items[0]->TrackId, 1);
    /* across a relation: tracks whose album's artist is AC/DC */
    q = track_query(s);
    th_ok(sinew_where(q, sinew_eq(sinew_via(TRACK_ALBUM, sinew_via(ALBUM_ARTIST, ARTIST_NAME)), sinew_v_text("AC/DC"))));
    int64_t n;
    th_ok(sinew_query_count(q, &n));
    sinew_query_free(q);
    assert_int_equal(n, 18);
    /* eager graph: artists -> albums -> tracks in 3 statements */
    sinew_count_mark m = sinew_count_begin(db);
    q = artist_query(s);
    const sinew_relation *path[] = {ARTIST_ALBUMS, ALBUM_TRACKS};
    th_ok(sinew_prefetch_path(q, path, 2));
    artist_list artists;
    th_ok(artist_all(q, &artists));
    sinew_query_free(q);
    th_ok(sinew_count_expect(db, m, 3));
    size_t total = 0;
    for (size_t i = 0; i < artists.count; i++)
        for (size_t j = 0; j < artists.items[i]->Albums.count; j++)
            total += ((Album *)artists.items[i]->Albums.items[j])->Tracks.count;
    assert_int_equal(total, 3503);
    sinew_session_free(s);
    sinew_close(db);
}

static const char *db_path;

static int setup(void **state)
{
    (void)state;
    chinook_setup(db_path);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    chinook_teardown();
    return 0;
}

int main(int argc, char **argv)
{
    db_path = argc > 1 ? argv[1] : SINEW_CHINOOK_DIR "/Chinook_Sqlite.sqlite";
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(counts_and_known_rows),
        cmocka_unit_test(composite_key_and_self_reference),
        cmocka_unit_test(typed_queries_with_generated_columns),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
