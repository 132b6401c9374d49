/*
 * test_pull_constraints.c - constraint names and CHECK constraints round-trip
 * (issue 19, item 9's second half), on the backend under test: a database
 * whose primary key, foreign key and CHECK constraints have names of their
 * own pulls to a schema that records them (@id(name:), @@id([..], name:),
 * @fk(..., name:), @@check("...", name:)); migrations made from that file
 * create a database that pulls to the same text, and drift against either
 * database is nothing. A database whose constraints are named otherwise is
 * drift, each named difference once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "support.h"

/* The fixture, and MariaDB's spelling of it (NULL: the same): MariaDB takes no name on a column's
   CHECK (it names that one after the column), so chk_rating is a table constraint there. Its
   primary keys are all named PRIMARY (CONSTRAINT pk_x is accepted and dropped), so pk names are
   checked only where the dialect keeps them (primary_key_unnamed 0). */
static const struct { const char *sql, *mariadb; } ddl[] = {
    {"CREATE TABLE language (language_id integer NOT NULL, name text NOT NULL, CONSTRAINT pk_lang PRIMARY KEY (language_id))", NULL},
    {"CREATE TABLE film (film_id int NOT NULL, language_id int NOT NULL, title text NOT NULL, "
     "rating text CONSTRAINT chk_rating CHECK (rating IN ('G', 'PG')), length int CHECK (length > 0), "
     "CONSTRAINT pk_film PRIMARY KEY (film_id, language_id), "
     "CONSTRAINT fk_film_lang FOREIGN KEY (language_id) REFERENCES language (language_id), "
     "CONSTRAINT \"chk \"\"two\"\"\" CHECK (length < 1000))",
     "CREATE TABLE film (film_id int NOT NULL, language_id int NOT NULL, title text NOT NULL, "
     "rating text, length int CHECK (length > 0), "
     "CONSTRAINT pk_film PRIMARY KEY (film_id, language_id), "
     "CONSTRAINT fk_film_lang FOREIGN KEY (language_id) REFERENCES language (language_id), "
     "CONSTRAINT chk_rating CHECK (rating IN ('G', 'PG')), "
     "CONSTRAINT \"chk \"\"two\"\"\" CHECK (length < 1000))"},
    {"CREATE TABLE actor (actor_id integer PRIMARY KEY, language_id int REFERENCES language (language_id))", NULL},
};

static const char *sql_of(size_t i) { return th_is_mariadb() && ddl[i].mariadb ? ddl[i].mariadb : ddl[i].sql; }

/* 1 where the database keeps a primary key's name */
static int pk_named(void) { return !sinew_find_driver(th_backend())->dialect->primary_key_unnamed; }

static char *pull(sinew_db *db)
{
    sinew_schema *live;
    th_ok(sinew_introspect(db, &live));
    char *text;
    th_ok(sinew_schema_to_string(live, &text));
    sinew_schema_free(live);
    return text;
}

static sinew_schema *parse(const char *text)
{
    sinew_diagnostics *d;
    th_ok(sinew_diagnostics_new(&d));
    sinew_schema *s = NULL;
    int rc = sinew_schema_parse("pulled.sinew", text, strlen(text), d, &s);
    if (rc || sinew_diagnostics_errors(d)) {
        print_error("%s\n", text);
        for (size_t i = 0; i < sinew_diagnostics_count(d); i++)
            print_error("%d:%d: %s\n", sinew_diagnostics_get(d, i)->line, sinew_diagnostics_get(d, i)->col,
                        sinew_diagnostics_get(d, i)->message);
    }
    th_ok(rc);
    sinew_diagnostics_free(d);
    return s;
}

static void names_round_trip(void **state)
{
    (void)state;
    sinew_db *db = th_open();
    for (size_t i = 0; i < sizeof ddl / sizeof ddl[0]; i++) th_ok(sinew_exec(db, sql_of(i)));
    char *text = pull(db);
    if (pk_named()) {
        assert_non_null(strstr(text, "@id(name: \"pk_lang\")"));
        assert_non_null(strstr(text, "@@id([film_id, language_id], name: \"pk_film\")"));
    } else {
        assert_null(strstr(text, "pk_"));
        assert_null(strstr(text, "PRIMARY"));
        assert_non_null(strstr(text, "@@id([film_id, language_id])"));
    }
    assert_non_null(strstr(text, "@fk(language_id, name: \"fk_film_lang\")"));
    assert_non_null(strstr(text, ", name: \"chk_rating\")"));
    assert_non_null(strstr(text, ", name: \"chk \\\"two\\\"\")"));
    /* the default names (actor's key and foreign key, the unnamed CHECK) are not written */
    assert_null(strstr(text, "actor_pkey"));
    assert_null(strstr(text, "fkey"));
    assert_null(strstr(text, "_check\""));
    assert_null(strstr(text, "ibfk"));            /* MariaDB's default names */
    assert_null(strstr(text, "CONSTRAINT_"));
    sinew_schema *s = parse(text);
    const sinew_model *film = sinew_schema_find_table(s, "film");
    if (pk_named()) assert_string_equal(film->pk_name, "pk_film");
    else assert_null(film->pk_name);
    assert_int_equal(film->nchecks, 3);
    const sinew_relation *lang = sinew_model_find_relation(film, "language");
    assert_non_null(lang);
    assert_string_equal(lang->fk_name, "fk_film_lang");
    char *report = NULL;
    size_t n = mt_drift(db, s, &report);
    if (n) print_error("%s", report);
    assert_int_equal(n, 0);
    sinew_migrate_free(report);

    /* migrations made from the pulled file create the same constraints */
    const char *dir = mt_dir("pulled");
    char path[1024];
    snprintf(path, sizeof path, "%s/pulled.sinew", th_tmpdir());
    mt_write(path, text);
    th_ok(sinew_migrate_make(dir, path, "init", NULL, NULL));
    sinew_db *db2 = th_open();
    th_ok(sinew_migrate_up(db2, dir));
    char *text2 = pull(db2);
    assert_string_equal(text2, text);
    n = mt_drift(db2, s, &report);
    if (n) print_error("%s", report);
    assert_int_equal(n, 0);
    sinew_migrate_free(report);

    /* named otherwise: each named difference is drift */
    th_ok(sinew_exec(db2, "DROP TABLE film"));
    th_ok(sinew_exec(db2, th_is_mariadb()
        ? "CREATE TABLE film (film_id int NOT NULL, language_id int NOT NULL, title text NOT NULL, "
          "rating text, length int CHECK (length > 0), "
          "CONSTRAINT pk_other PRIMARY KEY (film_id, language_id), "
          "CONSTRAINT fk_other FOREIGN KEY (language_id) REFERENCES language (language_id), "
          "CONSTRAINT chk_other CHECK (rating IN ('G', 'PG')), "
          "CONSTRAINT \"chk \"\"two\"\"\" CHECK (length < 1000))"
        : "CREATE TABLE film (film_id int NOT NULL, language_id int NOT NULL, title text NOT NULL, "
          "rating text CONSTRAINT chk_other CHECK (rating IN ('G', 'PG')), length int CHECK (length > 0), "
          "CONSTRAINT pk_other PRIMARY KEY (film_id, language_id), "
          "CONSTRAINT fk_other FOREIGN KEY (language_id) REFERENCES language (language_id), "
          "CONSTRAINT \"chk \"\"two\"\"\" CHECK (length < 1000))"));
    n = mt_drift(db2, s, &report);
    assert_non_null(report);
    if (pk_named())
        assert_non_null(strstr(report, "the primary key is named pk_other in the database, pk_film expected"));
    assert_non_null(strstr(report, "is named fk_other in the database, fk_film_lang expected"));
    assert_non_null(strstr(report, "check chk_rating ("));
    assert_non_null(strstr(report, "check chk_other ("));
    assert_int_equal(n, pk_named() ? 4 : 3);
    sinew_migrate_free(report);
    sinew_free(text2);
    sinew_free(text);
    sinew_schema_free(s);
    th_close(db2);
    th_close(db);
}

/* the schema language: what each name attribute accepts, and the DDL it makes */
static void names_in_ddl(void **state)
{
    (void)state;
    static const char src[] =
        "model Account {\n  id int64 @id(name: \"pk_a\") @auto\n  n int32\n  @@check(\"n > 0\", name: \"chk_n\")\n"
        "  @@check(\"n < 9\")\n}\n"
        "model Bill {\n  x int32\n  y int32\n  account_id int64\n  account Account @fk(account_id, name: \"fk_b_a\")\n"
        "  @@id([x, y], name: \"pk_b\")\n}\n";
    sinew_schema *s = parse(src);
    char *text;
    th_ok(sinew_schema_to_string(s, &text));
    sinew_schema *again = parse(text);
    char *text2;
    th_ok(sinew_schema_to_string(again, &text2));
    assert_string_equal(text, text2);           /* the printer writes what the parser reads */
    assert_non_null(strstr(text, "@id(name: \"pk_a\") @auto"));
    assert_non_null(strstr(text, "@@check(\"n > 0\", name: \"chk_n\")"));
    assert_non_null(strstr(text, "@@check(\"n < 9\")"));
    assert_non_null(strstr(text, "@fk(account_id, name: \"fk_b_a\")"));
    assert_non_null(strstr(text, "@@id([x, y], name: \"pk_b\")"));
    sinew_db *db = th_open();
    const char *dir = mt_dir("names");
    char path[1024];
    snprintf(path, sizeof path, "%s/names.sinew", th_tmpdir());
    mt_write(path, text);
    th_ok(sinew_migrate_make(dir, path, "init", NULL, NULL));
    th_ok(sinew_migrate_up(db, dir));
    /* the database enforces the named check, and reports the names back */
    assert_int_not_equal(sinew_exec(db, "INSERT INTO accounts (n) VALUES (0)"), SINEW_OK);
    char *live = pull(db);
    assert_non_null(strstr(live, "name: \"chk_n\""));
    assert_non_null(strstr(live, "name: \"fk_b_a\""));
    if (pk_named()) {
        assert_non_null(strstr(live, "name: \"pk_a\""));
        assert_non_null(strstr(live, "name: \"pk_b\""));
    }
    char *report = NULL;
    size_t n = mt_drift(db, s, &report);
    if (n) print_error("%s", report);
    assert_int_equal(n, 0);
    sinew_migrate_free(report);
    sinew_free(live);
    sinew_free(text);
    sinew_free(text2);
    sinew_schema_free(again);
    sinew_schema_free(s);
    th_close(db);
}

/* a declaratively partitioned table (PostgreSQL, MariaDB; SQLite has no partitioning) is one model,
 * the parent: its partitions are no models, and nothing gets their inverse lists. MariaDB's
 * partitions are parts of the one table, never tables of their own, and InnoDB refuses foreign
 * keys on a partitioned table: there payment references nobody. */
static void partitioned_one_model(void **state)
{
    (void)state;
    if (!th_is_server()) return;   /* the feature does not exist on SQLite */
    sinew_db *db = th_open();
    th_ok(sinew_exec(db, "CREATE TABLE customer (customer_id int PRIMARY KEY)"));
    if (th_is_mariadb()) {
        th_ok(sinew_exec(db, "CREATE TABLE payment (payment_id int NOT NULL, customer_id int NOT NULL, "
                             "payment_date date NOT NULL, PRIMARY KEY (payment_id, payment_date)) "
                             "PARTITION BY RANGE COLUMNS (payment_date) ("
                             "PARTITION p2007_01 VALUES LESS THAN ('2007-02-01'), "
                             "PARTITION p2007_02 VALUES LESS THAN ('2007-03-01'), "
                             "PARTITION rest VALUES LESS THAN (MAXVALUE))"));
    } else {
        th_ok(sinew_exec(db, "CREATE TABLE payment (payment_id int NOT NULL, customer_id int NOT NULL REFERENCES customer, "
                             "payment_date date NOT NULL, PRIMARY KEY (payment_id, payment_date)) PARTITION BY RANGE (payment_date)"));
        th_ok(sinew_exec(db, "CREATE TABLE payment_p2007_01 PARTITION OF payment FOR VALUES FROM ('2007-01-01') TO ('2007-02-01')"));
        th_ok(sinew_exec(db, "CREATE TABLE payment_p2007_02 PARTITION OF payment FOR VALUES FROM ('2007-02-01') TO ('2007-03-01')"));
        th_ok(sinew_exec(db, "CREATE TABLE payment_rest PARTITION OF payment DEFAULT"));
    }
    th_ok(sinew_exec(db, "INSERT INTO customer VALUES (1)"));
    th_ok(sinew_exec(db, "INSERT INTO payment VALUES (1, 1, '2007-01-05'), (2, 1, '2007-02-05'), (3, 1, '2010-01-01')"));
    sinew_schema *live;
    th_ok(sinew_introspect(db, &live));
    assert_int_equal(live->nmodels, 2);
    assert_null(sinew_schema_find_table(live, "payment_p2007_01"));
    assert_null(sinew_schema_find_table(live, "payment_rest"));
    const sinew_model *pay = sinew_schema_find_table(live, "payment");
    assert_non_null(pay);
    assert_int_equal(pay->npk, 2);
    assert_false(pay->flags & SINEW_MODEL_READONLY);
    const sinew_model *cust = sinew_schema_find_table(live, "customer");
    if (th_is_postgres()) {
        assert_int_equal(cust->nrelations, 1);       /* payments, not one list per partition */
        const char *notes = sinew_introspect_notes(live);
        assert_non_null(notes);
        assert_non_null(strstr(notes, "table payment_p2007_01: a partition of payment, not pulled"));
        assert_non_null(strstr(notes, "a partitioned table, pulled as one model"));
    } else {
        assert_int_equal(cust->nrelations, 0);
        assert_null(sinew_schema_find_table(live, "rest"));
    }
    char *text;
    th_ok(sinew_schema_to_string(live, &text));
    sinew_schema *s = parse(text);
    char *report = NULL;
    size_t n = mt_drift(db, s, &report);
    if (n) print_error("%s", report);
    assert_int_equal(n, 0);
    sinew_migrate_free(report);
    int64_t count = 0;
    sinew_session *ss;
    th_ok(sinew_session_new(db, &ss));
    th_ok(sinew_count(ss, sinew_schema_find_table(s, "payment"), &count));
    assert_int_equal(count, 3);                  /* every partition's rows, through the parent */
    sinew_session_free(ss);
    sinew_schema_free(s);
    sinew_free(text);
    sinew_schema_free(live);
    th_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(names_round_trip),
        cmocka_unit_test(names_in_ddl),
        cmocka_unit_test(partitioned_one_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
