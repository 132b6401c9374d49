/*
 * test_roundtrip.c - a series of schema changes, each made into a migration
 * and taken up and down again on the backend under test, with the data
 * asserted row by row after every step and no drift after every up:
 * add a nullable column, add a NOT NULL column with a default, rename a
 * column, change a type, add an index, drop a column, split a table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "support.h"
#include "migrate/files.h"

#define V1 "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, city TEXT, street TEXT);"
#define V2 "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, city TEXT, street TEXT, email TEXT);"
#define V3 "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, city TEXT, street TEXT, email TEXT, " \
           "score INTEGER NOT NULL DEFAULT 0);"
#define V4 "CREATE TABLE users (id INTEGER PRIMARY KEY, full_name TEXT NOT NULL, city TEXT, street TEXT, email TEXT, " \
           "score INTEGER NOT NULL DEFAULT 0);"
#define V5 "CREATE TABLE users (id INTEGER PRIMARY KEY, full_name TEXT NOT NULL, city TEXT, street TEXT, email TEXT, " \
           "score TEXT NOT NULL DEFAULT '0');"
#define V6 V5 "CREATE INDEX users_city_idx ON users (city);"
#define V7 "CREATE TABLE users (id INTEGER PRIMARY KEY, full_name TEXT NOT NULL, city TEXT, email TEXT, " \
           "score TEXT NOT NULL DEFAULT '0'); CREATE INDEX users_city_idx ON users (city);"
#define V8 "CREATE TABLE users (id INTEGER PRIMARY KEY, full_name TEXT NOT NULL, email TEXT, " \
           "score TEXT NOT NULL DEFAULT '0'); CREATE TABLE addresses (id INTEGER PRIMARY KEY, " \
           "user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE, city TEXT NOT NULL);"

static char *make(const char *dir, const sinew_schema *from, const sinew_schema *to, const char *name, int allow)
{
    sinew_make_opts o = {SINEW_DIALECT_ALL, allow};
    char *created = NULL;
    int rc = sn_mig_make_from(dir, from, to, "", name, &o, &created);
    if (rc != SINEW_OK) fail_msg("make %s: %s", name, sinew_errmsg());
    assert_non_null(created);
    return created;
}

static void sqlfile(char *buf, size_t n, const char *mig, const char *updown)
{
    snprintf(buf, n, "%s/%s.%s.sql", mig, updown, th_backend());
}

static void check_no_drift(sinew_db *db, const sinew_schema *s)
{
    char *report;
    size_t n = mt_drift(db, s, &report);
    if (n) fail_msg("unexpected drift:\n%s", report);
    sinew_migrate_free(report);
}

static void test_series(void **state)
{
    (void)state;
    sinew_db *db = th_open();
    const char *dir = mt_dir("roundtrip");
    const char *ddl[] = {V1, V2, V3, V4, V5, V6, V7, V8};
    const char *names[] = {"init", "add_email", "add_score", "rename_name", "score_text",
                           "index_city", "drop_street", "split_address"};
    /* the data in users after each version (id-ordered), selected with the columns it has */
    const char *sel[] = {
        "SELECT id, name, city, street FROM users ORDER BY id",
        "SELECT id, name, city, street, email FROM users ORDER BY id",
        "SELECT id, name, city, street, email, score FROM users ORDER BY id",
        "SELECT id, full_name, city, street, email, score FROM users ORDER BY id",
        "SELECT id, full_name, city, street, email, score FROM users ORDER BY id",
        "SELECT id, full_name, city, street, email, score FROM users ORDER BY id",
        "SELECT id, full_name, city, email, score FROM users ORDER BY id",
        ("SELECT u.id, u.full_name, a.city, u.email, u.score FROM users u LEFT JOIN addresses a "
         "ON a.user_id = u.id ORDER BY u.id"),
    };
    const char *with_street[] = {
        "1|ada|london|a st\n2|bob|NULL|b st\n",
        "1|ada|london|a st|NULL\n2|bob|NULL|b st|NULL\n",
        "1|ada|london|a st|NULL|0\n2|bob|NULL|b st|NULL|0\n",
        "1|ada|london|a st|NULL|0\n2|bob|NULL|b st|NULL|0\n",
        "1|ada|london|a st|NULL|0\n2|bob|NULL|b st|NULL|0\n",
        "1|ada|london|a st|NULL|0\n2|bob|NULL|b st|NULL|0\n",
        "1|ada|london|NULL|0\n2|bob|NULL|NULL|0\n",
        "1|ada|london|NULL|0\n2|bob|NULL|NULL|0\n",
    };
    /* once street is dropped, rolling back brings the column back but not its values */
    const char *no_street[] = {
        "1|ada|london|NULL\n2|bob|NULL|NULL\n",
        "1|ada|london|NULL|NULL\n2|bob|NULL|NULL|NULL\n",
        "1|ada|london|NULL|NULL|0\n2|bob|NULL|NULL|NULL|0\n",
        "1|ada|london|NULL|NULL|0\n2|bob|NULL|NULL|NULL|0\n",
        "1|ada|london|NULL|NULL|0\n2|bob|NULL|NULL|NULL|0\n",
        "1|ada|london|NULL|NULL|0\n2|bob|NULL|NULL|NULL|0\n",
    };
    const char *want[8];
    for (int i = 0; i < 8; i++) want[i] = with_street[i];
    sinew_schema *g[8];
    for (int i = 0; i < 8; i++) g[i] = mt_graph(ddl[i]);
    mt_rename_from(g[3], "users", "full_name", "name");
    for (int i = 0; i < 8; i++) {
        int destructive = i == 6 || i == 7;
        char *mig = make(dir, i ? g[i - 1] : NULL, g[i], names[i], destructive);
        if (i == 7) {
            /* the split: move the data by hand where the generated file marks the first data-losing step */
            char f[1024];
            sqlfile(f, sizeof f, mig, "up");
            mt_insert_before(f, "destructive: drop column users.city",
                             "INSERT INTO addresses (user_id, city) SELECT id, city FROM users WHERE city IS NOT NULL;\n");
            sqlfile(f, sizeof f, mig, "down");
            mt_insert_before(f, "destructive: drop table addresses",
                             "UPDATE users SET city = (SELECT a.city FROM addresses a WHERE a.user_id = users.id);\n");
        }
        th_ok(sinew_migrate_up(db, dir));
        if (i == 0) th_ok(sinew_exec(db, "INSERT INTO users (id, name, city, street) VALUES "
                                         "(1, 'ada', 'london', 'a st'), (2, 'bob', NULL, 'b st')"));
        mt_assert_rows(db, sel[i], want[i]);
        check_no_drift(db, g[i]);
        if (i == 0) { free(mig); continue; }
        /* down one step: the previous shape with the data intact; then up again */
        th_ok(sinew_migrate_down(db, dir, -1));
        if (i == 6) for (int k = 0; k < 6; k++) want[k] = no_street[k];
        mt_assert_rows(db, sel[i - 1], want[i - 1]);
        check_no_drift(db, g[i - 1]);
        th_ok(sinew_migrate_up(db, dir));
        mt_assert_rows(db, sel[i], want[i]);
        free(mig);
    }
    /* all the way down, step by step, data intact at each version */
    for (int i = 7; i > 0; i--) {
        th_ok(sinew_migrate_down(db, dir, i));        /* keeps migrations 1..i: version i - 1 */
        mt_assert_rows(db, sel[i - 1], want[i - 1]);
        check_no_drift(db, g[i - 1]);
    }
    th_ok(sinew_migrate_down(db, dir, 0));
    sinew_schema *empty = mt_graph("SELECT 1");
    check_no_drift(db, empty);
    sinew_schema_free(empty);
    for (int i = 0; i < 8; i++) sinew_schema_free(g[i]);
    th_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_series),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
