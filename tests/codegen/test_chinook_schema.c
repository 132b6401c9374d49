/*
 * Chinook read through code generated from the hand-written
 * tests/schemas/chinook.sinew: counts, known rows, the composite key of
 * PlaylistTrack, the ReportsTo self-reference, money as exact decimals,
 * and the many-to-many from playlists to tracks through PlaylistTrack, on
 * every backend (chinook_db.h).
 */
#include "chinook_db.h"
#include "chinook_schema.h"
#include <stdio.h>
#include <string.h>

static const char *db_path;

static void reads_the_real_database(void **state)
{
    (void)state;
    sinew_db *db = chinook_open();
    sinew_session *s;
    th_ok(sinew_session_new(db, &s));
    int64_t n;
    th_ok(track_count(s, &n));
    assert_int_equal(n, 3503);
    th_ok(invoice_count(s, &n));
    assert_int_equal(n, 412);
    th_ok(customer_count(s, &n));
    assert_int_equal(n, 59);
    Album *a;
    th_ok(album_get(s, 1, &a));
    Artist *ar;
    th_ok(album_artist(s, a, &ar));
    assert_string_equal(ar->Name, "AC/DC");
    Employee *nancy, *boss;
    th_ok(employee_get(s, 2, &nancy));
    th_ok(employee_manager(s, nancy, &boss));
    assert_string_equal(boss->FirstName, "Andrew");
    employee_list reports;
    th_ok(employee_reports(s, boss, &reports));
    assert_true(reports.count >= 1);
    PlaylistTrack *pt;
    th_ok(playlist_track_get(s, 1, 3402, &pt));
    Track *t;
    th_ok(playlist_track_track(s, pt, &t));
    assert_int_equal(t->TrackId, 3402);
    Invoice *inv;
    th_ok(invoice_get(s, 1, &inv));
    assert_string_equal(inv->Total, "1.98");
    Playlist *music;
    th_ok(playlist_get(s, 1, &music));
    track_list tracks;
    th_ok(playlist_tracks(s, music, &tracks));   /* many-to-many through PlaylistTrack */
    sinew_query *q = playlist_track_query(s);
    th_ok(sinew_where(q, sinew_eq(PLAYLIST_TRACK_PLAYLIST_ID, sinew_v_int64(1))));
    th_ok(sinew_query_count(q, &n));
    sinew_query_free(q);
    assert_int_equal((int64_t)tracks.count, n);
    assert_true(n > 3000);
    sinew_session_free(s);
    sinew_close(db);
}

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
        cmocka_unit_test(reads_the_real_database),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
