/*
 * The statement renderers of src/sql on their own (sql/ir.h): a SELECT
 * description with joins, filters, a subquery, order and paging; a scalar
 * over its rows; grouped rows; bulk UPDATE / DELETE; INSERT with ON
 * CONFLICT; the batch loader's SELECT. Exact text on both dialects, the
 * parameters in placeholder order, and the description byte for byte the
 * same after rendering (the renderers take it const and change nothing).
 */
#include "harness.h"
#include "sql/ir.h"
#include "../queries/people.h"
#include <string.h>

static sinew_value int_v(int64_t i)
{
    sinew_value v;
    memset(&v, 0, sizeof v);
    v.type = SINEW_INT64;
    v.u.i = i;
    return v;
}

static sinew_col column(const sinew_model *m, int f)
{
    sinew_col c;
    memset(&c, 0, sizeof c);
    c.model = m;
    c.field = f;
    return c;
}

static void expect_text(const char *what, const char *got, const char *want)
{
    if (strcmp(got, want) != 0) fail_msg("%s\n  want %s\n  got  %s", what, want, got);
}

static void expect_params(const sn_sql_out *o, const int64_t *want, size_t n)
{
    if (o->nparams != n) fail_msg("%zu parameters, want %zu", o->nparams, n);
    for (size_t i = 0; i < n; i++)
        if (o->params[i].type != SINEW_INT64 || o->params[i].u.i != want[i])
            fail_msg("parameter %zu is %lld, want %lld", i + 1, (long long)o->params[i].u.i, (long long)want[i]);
}

/* people whose team's id = 3 and age IN (1, 2, 3): a join, a padded IN list */
typedef struct fixture {
    sinew_expr team_eq, age_in, both;
    sinew_value in_vals[3];
    sn_select sel;
} fixture;

static void build(fixture *f)
{
    memset(f, 0, sizeof *f);
    f->team_eq.kind = X_CMP;
    f->team_eq.op = SINEW_EQ;
    f->team_eq.a = column(&team_model, 0);
    f->team_eq.a.via[0] = PERSON_TEAM;
    f->team_eq.a.nvia = 1;
    f->team_eq.alias_a = 1;
    static sinew_value three;
    three = int_v(3);
    f->team_eq.vals = &three;
    f->team_eq.nvals = 1;
    for (int i = 0; i < 3; i++) f->in_vals[i] = int_v(i + 1);
    f->age_in.kind = X_IN;
    f->age_in.a = column(&person_model, 2);
    f->age_in.vals = f->in_vals;
    f->age_in.nvals = 3;
    f->both.kind = X_AND;
    f->both.l = &f->team_eq;
    f->both.r = &f->age_in;
    sn_select *s = &f->sel;
    s->model = &person_model;
    s->where = &f->both;
    s->joins[0] = (sn_ir_join){PERSON_TEAM, &person_model, 0, 1};
    s->njoins = 1;
    s->order[0] = (sn_ir_order){{column(&person_model, 1), 0}, SINEW_DESC, SINEW_NULLS_DEFAULT};
    s->norder = 1;
    s->limit = 10;
    s->offset = 20;
}

static void select_with_join_filter_order_and_paging(void **state)
{
    (void)state;
    fixture f;
    build(&f);
    sn_select before = f.sel;
    sn_sql_out o;
    sn_sql_out_init(&o);
    assert_int_equal(sn_sql_select_objects(&o, &sn_dialect_postgres, &f.sel, 0), SINEW_OK);
    expect_text("postgres select", sn_buf_cstr(&o.sql),
                "SELECT t0.\"id\", t0.\"name\", t0.\"age\", t0.\"score\", t0.\"active\", t0.\"team_id\" FROM \"people\" AS t0 "
                "LEFT JOIN \"teams\" AS t1 ON t1.\"id\" = t0.\"team_id\" WHERE (t1.\"id\" = $1 AND t0.\"age\" IN ($2, $3, $4, $5)) "
                "ORDER BY t0.\"name\" DESC, t0.\"id\" LIMIT 10 OFFSET $6");
    /* the IN list padded to four with its last value; OFFSET bound, LIMIT written */
    expect_params(&o, (const int64_t[]){3, 1, 2, 3, 3, 20}, 6);
    assert_memory_equal(&before, &f.sel, sizeof before);
    /* the same description again, on SQLite, first-of: the output restarts, the description is the same */
    assert_int_equal(sn_sql_select_objects(&o, &sn_dialect_sqlite, &f.sel, 1), SINEW_OK);
    expect_text("sqlite first", sn_buf_cstr(&o.sql),
                "SELECT t0.\"id\", t0.\"name\", t0.\"age\", t0.\"score\", t0.\"active\", t0.\"team_id\" FROM \"people\" AS t0 "
                "LEFT JOIN \"teams\" AS t1 ON t1.\"id\" = t0.\"team_id\" WHERE (t1.\"id\" = ? AND t0.\"age\" IN (?, ?, ?, ?)) "
                "ORDER BY t0.\"name\" DESC, t0.\"id\" LIMIT 1 OFFSET ?");
    expect_params(&o, (const int64_t[]){3, 1, 2, 3, 3, 20}, 6);
    assert_memory_equal(&before, &f.sel, sizeof before);
    sn_sql_out_free(&o);
}

static void subquery_parameters_follow_the_outer_ones(void **state)
{
    (void)state;
    /* teams WHERE id > 5 AND id IN (SELECT team_id FROM people WHERE ... the fixture's filter) */
    fixture f;
    build(&f);
    f.sel.norder = 0;
    f.sel.limit = f.sel.offset = -1;
    sn_select sub_before = f.sel;
    sinew_value five = int_v(5);
    sinew_expr gt = {.kind = X_CMP, .op = SINEW_GT, .a = column(&team_model, 0), .vals = &five, .nvals = 1};
    sinew_expr in = {.kind = X_INSUB, .a = column(&team_model, 0), .b = column(&person_model, 5), .subsel = &f.sel};
    sinew_expr both = {.kind = X_AND, .l = &gt, .r = &in};
    sn_select outer;
    memset(&outer, 0, sizeof outer);
    outer.model = &team_model;
    outer.where = &both;
    outer.limit = outer.offset = -1;
    sn_select outer_before = outer;
    sn_sql_out o;
    sn_sql_out_init(&o);
    assert_int_equal(sn_sql_select_objects(&o, &sn_dialect_postgres, &outer, 0), SINEW_OK);
    expect_text("subquery", sn_buf_cstr(&o.sql),
                "SELECT t0.\"id\", t0.\"name\" FROM \"teams\" AS t0 WHERE (t0.\"id\" > $1 AND t0.\"id\" IN (SELECT "
                "t0.\"team_id\" FROM \"people\" AS t0 LEFT JOIN \"teams\" AS t1 ON t1.\"id\" = t0.\"team_id\" WHERE "
                "(t1.\"id\" = $2 AND t0.\"age\" IN ($3, $4, $5, $6))))");
    expect_params(&o, (const int64_t[]){5, 3, 1, 2, 3, 3}, 6);
    assert_memory_equal(&outer_before, &outer, sizeof outer);
    assert_memory_equal(&sub_before, &f.sel, sizeof sub_before);
    sn_sql_out_free(&o);
}

static void scalars_wrap_paged_rows_and_drop_an_unneeded_order(void **state)
{
    (void)state;
    fixture f;
    build(&f);
    sn_sql_out o;
    sn_sql_out_init(&o);
    /* paged: over a derived table, the order kept for the page */
    assert_int_equal(sn_sql_select_scalar(&o, &sn_dialect_sqlite, &f.sel, 0, NULL), SINEW_OK);
    expect_text("count paged", sn_buf_cstr(&o.sql),
                "SELECT COUNT(*) FROM (SELECT t0.\"id\", t0.\"name\", t0.\"age\", t0.\"score\", t0.\"active\", "
                "t0.\"team_id\" FROM \"people\" AS t0 LEFT JOIN \"teams\" AS t1 ON t1.\"id\" = t0.\"team_id\" WHERE "
                "(t1.\"id\" = ? AND t0.\"age\" IN (?, ?, ?, ?)) ORDER BY t0.\"name\" DESC, t0.\"id\" LIMIT 10 OFFSET ?) AS c");
    /* distinct without paging: derived table, no order */
    f.sel.limit = f.sel.offset = -1;
    f.sel.distinct = 1;
    sn_ir_col score = {column(&person_model, 3), 0};
    assert_int_equal(sn_sql_select_scalar(&o, &sn_dialect_postgres, &f.sel, SINEW_SUM, &score), SINEW_OK);
    expect_text("sum distinct", sn_buf_cstr(&o.sql),
                "SELECT SUM(c.\"score\") FROM (SELECT DISTINCT t0.\"id\", t0.\"name\", t0.\"age\", t0.\"score\", "
                "t0.\"active\", t0.\"team_id\" FROM \"people\" AS t0 LEFT JOIN \"teams\" AS t1 ON t1.\"id\" = "
                "t0.\"team_id\" WHERE (t1.\"id\" = $1 AND t0.\"age\" IN ($2, $3, $4, $5))) AS c");
    assert_int_equal(f.sel.norder, 1);
    /* plain rows: straight over the table */
    f.sel.distinct = 0;
    assert_int_equal(sn_sql_select_scalar(&o, &sn_dialect_postgres, &f.sel, SINEW_MAX, &score), SINEW_OK);
    expect_text("max", sn_buf_cstr(&o.sql),
                "SELECT MAX(t0.\"score\") FROM \"people\" AS t0 LEFT JOIN \"teams\" AS t1 ON t1.\"id\" = t0.\"team_id\" "
                "WHERE (t1.\"id\" = $1 AND t0.\"age\" IN ($2, $3, $4, $5))");
    sn_sql_out_free(&o);
}

static void grouped_rows(void **state)
{
    (void)state;
    sn_select s;
    memset(&s, 0, sizeof s);
    s.model = &person_model;
    s.limit = s.offset = -1;
    s.group[0] = (sn_ir_col){column(&person_model, 5), 0};
    s.ngroup = 1;
    s.aggs[0] = (sn_ir_agg){SINEW_COUNT, {column(&person_model, 0), 0}};
    s.naggs = 1;
    s.having[0] = (sn_ir_having){{SINEW_COUNT, {column(&person_model, 0), 0}}, SINEW_GE, int_v(2)};
    s.nhaving = 1;
    s.limit = 5;
    sn_sql_out o;
    sn_sql_out_init(&o);
    assert_int_equal(sn_sql_select_grouped(&o, &sn_dialect_postgres, &s), SINEW_OK);
    /* no key to break ties in grouped rows */
    expect_text("grouped", sn_buf_cstr(&o.sql),
                "SELECT t0.\"team_id\", COUNT(t0.\"id\") FROM \"people\" AS t0 GROUP BY t0.\"team_id\" HAVING "
                "COUNT(t0.\"id\") >= $1 LIMIT 5");
    expect_params(&o, (const int64_t[]){2}, 1);
    sn_sql_out_free(&o);
}

/* set operations over rows: both branches aliased, the outer order by result column and paged; params
 * in placeholder order (the left branch's, the right's, the offset) */
static void combined_rows(void **state)
{
    (void)state;
    sn_select a, b;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    a.model = &person_model;
    a.limit = a.offset = -1;
    a.vals[0] = (sn_ir_value){.kind = SN_VAL_COL, .col = {column(&person_model, 5), 0}};
    a.nvals = 1;
    a.where = sinew_gt(column(&person_model, 5), sinew_v_int64(30));
    b.model = &team_model;
    b.limit = b.offset = -1;
    b.vals[0] = (sn_ir_value){.kind = SN_VAL_COL, .col = {column(&team_model, 0), 0}};
    b.nvals = 1;
    b.where = sinew_lt(column(&team_model, 0), sinew_v_int64(9));
    a.rows_setop = SINEW_UNION_ALL;
    a.rows_other = &b;
    a.order[0] = (sn_ir_order){{column(&person_model, 5), 0}, SINEW_DESC, SINEW_NULLS_LAST};
    a.norder = 1;
    a.limit = 10;
    a.offset = 20;
    sn_sql_out o;
    sn_sql_out_init(&o);
    assert_int_equal(sn_sql_select_grouped(&o, &sn_dialect_postgres, &a), SINEW_OK);
    expect_text("combined (postgres)", sn_buf_cstr(&o.sql),
                "SELECT u.c0 FROM (SELECT t0.\"team_id\" AS c0 FROM \"people\" AS t0 WHERE t0.\"team_id\" > $1 UNION ALL "
                "SELECT t0.\"id\" AS c0 FROM \"teams\" AS t0 WHERE t0.\"id\" < $2) AS u ORDER BY u.c0 DESC NULLS LAST "
                "LIMIT 10 OFFSET $3");
    expect_params(&o, (const int64_t[]){30, 9, 20}, 3);
    assert_int_equal(sn_sql_select_grouped(&o, &sn_dialect_mariadb, &a), SINEW_OK);
    expect_text("combined (mariadb)", sn_buf_cstr(&o.sql),
                "SELECT u.c0 FROM (SELECT t0.`team_id` AS c0 FROM `people` AS t0 WHERE t0.`team_id` > ? UNION ALL "
                "SELECT t0.`id` AS c0 FROM `teams` AS t0 WHERE t0.`id` < ?) AS u ORDER BY u.c0 IS NULL ASC, u.c0 DESC "
                "LIMIT 10 OFFSET ?");
    /* an order key that is not a result column renders nothing (the ORM refuses it first) */
    a.order[0].key.col = column(&person_model, 1);
    assert_int_equal(sn_sql_select_grouped(&o, &sn_dialect_sqlite, &a), SINEW_NOMEM);
    sinew_expr_free(a.where);
    sinew_expr_free(b.where);
    sn_sql_out_free(&o);
}

/* a JSON path is a literal made from the checked path, in each dialect's form */
static void json_paths(void **state)
{
    (void)state;
    static const char *const bad[] = {"", "a", "$.", "$.1", "$[x]", "$[01]", "$.a'", "$.a b", "$[1234567890]"};
    size_t at;
    const char *why;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (sn_sql_json_path_valid(bad[i], &at, &why)) fail_msg("path \"%s\" accepted", bad[i]);
    assert_true(sn_sql_json_path_valid("$", &at, &why));
    assert_true(sn_sql_json_path_valid("$.a_1.B[0][12].c", &at, &why));
    sn_buf b;
    sn_buf_init(&b);
    sn_sql_json_path_literal(&b, &sn_dialect_postgres, "$.a_1.B[0][12].c");
    expect_text("postgres path", sn_buf_cstr(&b), "'{a_1,B,0,12,c}'");
    sn_buf_clear(&b);
    sn_sql_json_path_literal(&b, &sn_dialect_sqlite, "$.a_1.B[0]");
    expect_text("sqlite path", sn_buf_cstr(&b), "'$.a_1.B[0]'");
    sn_buf_clear(&b);
    sn_sql_json_path_literal(&b, &sn_dialect_postgres, "$");
    expect_text("postgres whole value", sn_buf_cstr(&b), "'{}'");
    sn_buf_free(&b);
    assert_null(sn_sql_json_template(&sn_dialect_sqlite, SINEW_BLOB));
    assert_null(sn_dialect_sqlite.json_contains);
}

static void bulk_update_and_delete(void **state)
{
    (void)state;
    fixture f;
    build(&f);
    sn_sql_out o;
    sn_sql_out_init(&o);
    sinew_set age = {.kind = SINEW_SET_VALUE, .col = column(&person_model, 2), .value = int_v(40)};
    /* joined and paged: the rows by key subselect */
    assert_int_equal(sn_sql_update_rows(&o, &sn_dialect_postgres, &f.sel, &age, 1, 0), SINEW_OK);
    expect_text("update joined", sn_buf_cstr(&o.sql),
                "UPDATE \"people\" SET \"age\" = $1 WHERE (\"id\") IN (SELECT t0.\"id\" FROM \"people\" AS t0 LEFT JOIN "
                "\"teams\" AS t1 ON t1.\"id\" = t0.\"team_id\" WHERE (t1.\"id\" = $2 AND t0.\"age\" IN ($3, $4, $5, $6)) "
                "ORDER BY t0.\"name\" DESC, t0.\"id\" LIMIT 10 OFFSET $7)");
    expect_params(&o, (const int64_t[]){40, 3, 1, 2, 3, 3, 20}, 7);
    /* a plain filter: directly */
    f.sel.where = &f.age_in;
    f.sel.njoins = 0;
    f.sel.limit = f.sel.offset = -1;
    assert_int_equal(sn_sql_delete_rows(&o, &sn_dialect_sqlite, &f.sel), SINEW_OK);
    expect_text("delete", sn_buf_cstr(&o.sql), "DELETE FROM \"people\" AS t0 WHERE t0.\"age\" IN (?, ?, ?, ?)");
    expect_params(&o, (const int64_t[]){1, 2, 3, 3}, 4);
    /* computed assignments (#21): unqualified in SET, the arithmetic operand bound; RETURNING for claims */
    sinew_set calc[2] = {{.kind = SINEW_SET_EXPR, .col = column(&person_model, 2), .expr = column(&person_model, 2)},
                         {.kind = SINEW_SET_EXPR, .col = column(&person_model, 3), .expr = column(&person_model, 2)}};
    calc[0].expr.arith = '+';
    calc[0].expr.arith_value = int_v(1);
    assert_int_equal(sn_sql_update_rows(&o, &sn_dialect_sqlite, &f.sel, calc, 2, 1), SINEW_OK);
    expect_text("update computed", sn_buf_cstr(&o.sql),
                "UPDATE \"people\" AS t0 SET \"age\" = (\"age\" + ?), \"score\" = \"age\" WHERE t0.\"age\" IN "
                "(?, ?, ?, ?) RETURNING \"id\", \"name\", \"age\", \"score\", \"active\", \"team_id\"");
    expect_params(&o, (const int64_t[]){1, 1, 2, 3, 3}, 5);
    /* row locks: the queried model's rows only */
    f.sel.lock = SINEW_FOR_UPDATE;
    f.sel.lock_wait = SINEW_SKIP_LOCKED;
    assert_int_equal(sn_sql_select_objects(&o, &sn_dialect_postgres, &f.sel, 0), SINEW_OK);
    const char *sql = sn_buf_cstr(&o.sql);
    assert_string_equal(sql + strlen(sql) - strlen(" FOR UPDATE OF t0 SKIP LOCKED"), " FOR UPDATE OF t0 SKIP LOCKED");
    f.sel.lock = SINEW_FOR_SHARE;
    f.sel.lock_wait = SINEW_NOWAIT;
    assert_int_equal(sn_sql_select_objects(&o, &sn_dialect_postgres, &f.sel, 0), SINEW_OK);
    sql = sn_buf_cstr(&o.sql);
    assert_string_equal(sql + strlen(sql) - strlen(" FOR SHARE OF t0 NOWAIT"), " FOR SHARE OF t0 NOWAIT");
    sn_sql_out_free(&o);
}

static void inserts_and_deletes_by_fields(void **state)
{
    (void)state;
    sn_buf b;
    sn_buf_init(&b);
    /* upsert: on conflict on name, set age and score, return the row */
    const unsigned cols[] = {1, 2, 3}, conf[] = {1}, upd[] = {2, 3}, all[] = {0, 1, 2, 3, 4, 5};
    sn_insert up = {.model = &person_model, .cols = cols, .ncols = 3, .on_conflict = SN_CONFLICT_UPDATE,
                    .conflict = conf, .nconflict = 1, .update = upd, .nupdate = 2, .returning = all, .nreturning = 2};
    assert_int_equal(sn_sql_insert_stmt(&b, &sn_dialect_postgres, &up), SINEW_OK);
    expect_text("upsert", sn_buf_cstr(&b),
                "INSERT INTO \"people\" (\"name\", \"age\", \"score\") VALUES ($1, $2, $3) ON CONFLICT (\"name\") DO "
                "UPDATE SET \"age\" = excluded.\"age\", \"score\" = excluded.\"score\" RETURNING \"id\", \"name\"");
    /* nothing to set: the conflict column to itself, so that RETURNING has the row */
    up.nupdate = 0;
    sn_buf_clear(&b);
    assert_int_equal(sn_sql_insert_stmt(&b, &sn_dialect_sqlite, &up), SINEW_OK);
    expect_text("upsert no-op", sn_buf_cstr(&b),
                "INSERT INTO \"people\" (\"name\", \"age\", \"score\") VALUES (?, ?, ?) ON CONFLICT (\"name\") DO "
                "UPDATE SET \"name\" = excluded.\"name\" RETURNING \"id\", \"name\"");
    /* computed conflict assignments (#21): the row's column qualified, EXCLUDED's, parameters after the row's */
    sinew_set set[3] = {{.kind = SINEW_SET_COMBINE, .col = column(&person_model, 2), .op = '+'},
                        {.kind = SINEW_SET_EXCLUDED, .col = column(&person_model, 3), .expr = column(&person_model, 3)},
                        {.kind = SINEW_SET_VALUE, .col = column(&person_model, 4), .value = int_v(1)}};
    set[1].expr.arith = '*';
    set[1].expr.arith_value = int_v(2);
    up.set = set;
    up.nset = 3;
    sn_buf_clear(&b);
    assert_int_equal(sn_sql_insert_stmt(&b, &sn_dialect_postgres, &up), SINEW_OK);
    expect_text("upsert computed", sn_buf_cstr(&b),
                "INSERT INTO \"people\" (\"name\", \"age\", \"score\") VALUES ($1, $2, $3) ON CONFLICT (\"name\") DO "
                "UPDATE SET \"age\" = \"people\".\"age\" + excluded.\"age\", \"score\" = (excluded.\"score\" * $4), "
                "\"active\" = $5 RETURNING \"id\", \"name\"");
    up.nset = 0;
    /* many rows, ignoring any conflict */
    sn_insert many = {.model = &person_model, .cols = cols, .ncols = 2, .rows = 2, .on_conflict = SN_CONFLICT_NOTHING};
    sn_buf_clear(&b);
    assert_int_equal(sn_sql_insert_stmt(&b, &sn_dialect_postgres, &many), SINEW_OK);
    expect_text("multi-row", sn_buf_cstr(&b),
                "INSERT INTO \"people\" (\"name\", \"age\") VALUES ($1, $2), ($3, $4) ON CONFLICT DO NOTHING");
    /* keys drawn from the sequence: OVERRIDING SYSTEM VALUE where there are sequences (a GENERATED ALWAYS
     * identity key takes them only so), nothing on the other dialects */
    const unsigned keyed[] = {0, 1};
    sn_insert drawn = {.model = &person_model, .cols = keyed, .ncols = 2, .rows = 2, .keys_drawn = 1};
    sn_buf_clear(&b);
    assert_int_equal(sn_sql_insert_stmt(&b, &sn_dialect_postgres, &drawn), SINEW_OK);
    expect_text("drawn keys", sn_buf_cstr(&b),
                "INSERT INTO \"people\" (\"id\", \"name\") OVERRIDING SYSTEM VALUE VALUES ($1, $2), ($3, $4)");
    sn_buf_clear(&b);
    assert_int_equal(sn_sql_insert_stmt(&b, &sn_dialect_sqlite, &drawn), SINEW_OK);
    expect_text("drawn keys, no sequences", sn_buf_cstr(&b),
                "INSERT INTO \"people\" (\"id\", \"name\") VALUES (?, ?), (?, ?)");
    sn_insert none = {.model = &team_model};
    sn_buf_clear(&b);
    assert_int_equal(sn_sql_insert_stmt(&b, &sn_dialect_sqlite, &none), SINEW_OK);
    expect_text("defaults", sn_buf_cstr(&b), "INSERT INTO \"teams\" DEFAULT VALUES");
    sn_delete del = {.model = &person_model, .keys = cols, .nkeys = 2};
    sn_buf_clear(&b);
    assert_int_equal(sn_sql_delete_stmt(&b, &sn_dialect_postgres, &del), SINEW_OK);
    expect_text("delete by fields", sn_buf_cstr(&b), "DELETE FROM \"people\" WHERE \"name\" = $1 AND \"age\" = $2");
    /* a flush's deletes of one model: one IN list, a row value per row for a composite key */
    del.rows = 2;
    sn_buf_clear(&b);
    assert_int_equal(sn_sql_delete_stmt(&b, &sn_dialect_postgres, &del), SINEW_OK);
    expect_text("delete many, composite", sn_buf_cstr(&b),
                "DELETE FROM \"people\" WHERE (\"name\", \"age\") IN (($1, $2), ($3, $4))");
    sn_delete del1 = {.model = &person_model, .keys = cols, .nkeys = 1, .rows = 3};
    sn_buf_clear(&b);
    assert_int_equal(sn_sql_delete_stmt(&b, &sn_dialect_sqlite, &del1), SINEW_OK);
    expect_text("delete many", sn_buf_cstr(&b), "DELETE FROM \"people\" WHERE \"name\" IN (?, ?, ?)");
    sn_buf_free(&b);
}

static void batch_loader_select(void **state)
{
    (void)state;
    sn_buf b;
    sn_buf_init(&b);
    assert_int_equal(sn_sql_relation_select(&b, &sn_dialect_postgres, TEAM_MEMBERS, 2), SINEW_OK);
    expect_text("has-many", sn_buf_cstr(&b),
                "SELECT t0.\"id\", t0.\"name\", t0.\"age\", t0.\"score\", t0.\"active\", t0.\"team_id\" FROM \"people\" "
                "AS t0 WHERE t0.\"team_id\" IN ($1, $2) ORDER BY t0.\"team_id\", t0.\"id\"");
    sn_buf_clear(&b);
    assert_int_equal(sn_sql_relation_select(&b, &sn_dialect_sqlite, PERSON_TEAM, 1), SINEW_OK);
    expect_text("belongs-to", sn_buf_cstr(&b), "SELECT t0.\"id\", t0.\"name\" FROM \"teams\" AS t0 WHERE t0.\"id\" IN (?)");
    sn_buf_free(&b);
}

/* teams with a member over 30, with their member count; members numbered by age within their team, the
 * first two kept */
static void correlated_subqueries_and_windows(void **state)
{
    (void)state;
    static sinew_value thirty;
    thirty = int_v(30);
    sinew_expr age_gt;
    memset(&age_gt, 0, sizeof age_gt);
    age_gt.kind = X_CMP;
    age_gt.op = SINEW_GT;
    age_gt.a = column(&person_model, 2);
    age_gt.alias_a = 200;
    age_gt.vals = &thirty;
    age_gt.nvals = 1;
    sinew_expr ex;
    memset(&ex, 0, sizeof ex);
    ex.kind = X_EXISTS;
    ex.rel = TEAM_MEMBERS;
    ex.owner = &team_model;
    ex.alias_sub = 200;
    ex.l = &age_gt;
    sn_select s;
    memset(&s, 0, sizeof s);
    s.model = &team_model;
    s.where = &ex;
    s.limit = s.offset = -1;
    s.ann[0] = (sn_ir_annot){TEAM_MEMBERS, 201, SINEW_COUNT, {column(&person_model, 0), 201}, NULL};
    s.nann = 1;
    sn_sql_out o;
    sn_sql_out_init(&o);
    assert_int_equal(sn_sql_select_objects(&o, &sn_dialect_postgres, &s, 0), SINEW_OK);
    expect_text("exists and annotation", sn_buf_cstr(&o.sql),
                "SELECT t0.\"id\", t0.\"name\", (SELECT COUNT(t201.\"id\") FROM \"people\" AS t201 WHERE "
                "t201.\"team_id\" = t0.\"id\") FROM \"teams\" AS t0 WHERE EXISTS (SELECT 1 FROM \"people\" AS t200 "
                "WHERE t200.\"team_id\" = t0.\"id\" AND (t200.\"age\" > $1))");
    expect_params(&o, (const int64_t[]){30}, 1);

    sn_select w;
    memset(&w, 0, sizeof w);
    w.model = &person_model;
    w.limit = w.offset = -1;
    w.vals[0] = (sn_ir_value){.kind = SN_VAL_COL, .col = {column(&person_model, 1), 0}};
    w.vals[1] = (sn_ir_value){.kind = SN_VAL_WINDOW, .win = SINEW_ROW_NUMBER, .col = {column(&person_model, 0), 0},
                              .part = {{column(&person_model, 5), 0}}, .npart = 1,
                              .order = {{{column(&person_model, 2), 0}, SINEW_DESC, SINEW_NULLS_DEFAULT}},
                              .norder = 1};
    w.nvals = 2;
    w.vfilter = 1;
    w.vfilter_col = 1;
    w.vfilter_op = SINEW_LE;
    w.vfilter_v = int_v(2);
    w.order[0] = (sn_ir_order){{column(&person_model, 1), 0}, SINEW_ASC, SINEW_NULLS_DEFAULT};
    w.norder = 1;
    assert_int_equal(sn_sql_select_grouped(&o, &sn_dialect_sqlite, &w), SINEW_OK);
    expect_text("window filtered", sn_buf_cstr(&o.sql),
                "SELECT w.c0, w.c1 FROM (SELECT t0.\"name\" AS c0, ROW_NUMBER() OVER (PARTITION BY t0.\"team_id\" "
                "ORDER BY t0.\"age\" DESC) AS c1, t0.\"name\" AS o0 FROM \"people\" AS t0) AS w WHERE w.c1 <= ? "
                "ORDER BY w.o0");
    expect_params(&o, (const int64_t[]){2}, 1);
    sn_sql_out_free(&o);
}

/* @@soft_delete (#21, item 9): every statement over the rows leaves the deleted ones out, unless with_deleted;
 * its partial unique index has no WHERE on a backend without partial indexes */
typedef struct Memo {
    int64_t id;
    char *body;
    int64_t deleted_at;
    bool has_deleted_at;
} Memo;
static const sinew_field memo_fields[] = {
    SINEW_FIELD(Memo, id, SINEW_INT64, SINEW_FIELD_PK),
    SINEW_FIELD(Memo, body, SINEW_TEXT, 0),
    SINEW_FIELD_OPT(Memo, deleted_at, SINEW_TIMESTAMP, SINEW_FIELD_DELETED_AT),
};
static const unsigned memo_pk[] = {0}, memo_body[] = {1};
static const sinew_index memo_ix[] = {{.name = "memos_body_key", .fields = memo_body, .nfields = 1, .unique = 1,
                                       .where = "\"deleted_at\" IS NULL"}};
static const sinew_model memo_model = {.name = "Memo", .table = "memos", .c_name = "memo",
                                       .flags = SINEW_MODEL_SOFT_DELETE, .size = sizeof(Memo), .fields = memo_fields,
                                       .nfields = 3, .pk = memo_pk, .npk = 1, .indexes = memo_ix, .nindexes = 1};
/* the same with @version: a soft delete bumps it */
typedef struct VMemo {
    int64_t id;
    int32_t version;
    int64_t deleted_at;
    bool has_deleted_at;
} VMemo;
static const sinew_field vmemo_fields[] = {
    SINEW_FIELD(VMemo, id, SINEW_INT64, SINEW_FIELD_PK),
    SINEW_FIELD(VMemo, version, SINEW_INT32, SINEW_FIELD_VERSION),
    SINEW_FIELD_OPT(VMemo, deleted_at, SINEW_TIMESTAMP, SINEW_FIELD_DELETED_AT),
};
static const unsigned vmemo_by[] = {0, 1};   /* a delete's: the key and the version loaded */
static const sinew_model vmemo_model = {.name = "VMemo", .table = "vmemos", .c_name = "vmemo",
                                        .flags = SINEW_MODEL_SOFT_DELETE, .size = sizeof(VMemo), .fields = vmemo_fields,
                                        .nfields = 3, .pk = memo_pk, .npk = 1};

static void soft_deleted_rows_are_left_out(void **state)
{
    (void)state;
    sn_sql_out o;
    sn_sql_out_init(&o);
    sn_select sel;
    memset(&sel, 0, sizeof sel);
    sel.model = &memo_model;
    sel.limit = sel.offset = -1;
    assert_int_equal(sn_sql_select_objects(&o, &sn_dialect_postgres, &sel, 0), SINEW_OK);
    expect_text("soft select", sn_buf_cstr(&o.sql),
                "SELECT t0.\"id\", t0.\"body\", t0.\"deleted_at\" FROM \"memos\" AS t0 WHERE t0.\"deleted_at\" IS NULL");
    sel.with_deleted = 1;
    assert_int_equal(sn_sql_select_objects(&o, &sn_dialect_postgres, &sel, 0), SINEW_OK);
    expect_text("with deleted", sn_buf_cstr(&o.sql),
                "SELECT t0.\"id\", t0.\"body\", t0.\"deleted_at\" FROM \"memos\" AS t0");
    sel.with_deleted = 0;
    sinew_expr eq;
    memset(&eq, 0, sizeof eq);
    eq.kind = X_CMP;
    eq.op = SINEW_EQ;
    eq.a = column(&memo_model, 0);
    sinew_value seven = int_v(7);
    eq.vals = &seven;
    eq.nvals = 1;
    sel.where = &eq;
    assert_int_equal(sn_sql_select_scalar(&o, &sn_dialect_mariadb, &sel, 0, NULL), SINEW_OK);
    expect_text("soft count", sn_buf_cstr(&o.sql),
                "SELECT COUNT(*) FROM `memos` AS t0 WHERE t0.`id` = ? AND t0.`deleted_at` IS NULL");
    sinew_set body = {.kind = SINEW_SET_VALUE, .col = column(&memo_model, 1), .value = int_v(1)};
    assert_int_equal(sn_sql_update_rows(&o, &sn_dialect_sqlite, &sel, &body, 1, 0), SINEW_OK);
    expect_text("soft update", sn_buf_cstr(&o.sql),
                "UPDATE \"memos\" AS t0 SET \"body\" = ? WHERE t0.\"id\" = ? AND t0.\"deleted_at\" IS NULL");
    sel.with_deleted = 1;
    assert_int_equal(sn_sql_delete_rows(&o, &sn_dialect_sqlite, &sel), SINEW_OK);
    expect_text("hard delete", sn_buf_cstr(&o.sql), "DELETE FROM \"memos\" AS t0 WHERE t0.\"id\" = ?");
    sn_buf b;
    sn_buf_init(&b);
    sn_sql_select_where(&b, &sn_dialect_sqlite, &memo_model, memo_pk, 1);
    expect_text("get", sn_buf_cstr(&b),
                "SELECT \"id\", \"body\", \"deleted_at\" FROM \"memos\" WHERE \"id\" = ? AND \"deleted_at\" IS NULL");
    sn_buf_clear(&b);
    sn_sql_select_where_any(&b, &sn_dialect_sqlite, &memo_model, memo_pk, 1);
    expect_text("get with deleted", sn_buf_cstr(&b), "SELECT \"id\", \"body\", \"deleted_at\" FROM \"memos\" WHERE \"id\" = ?");
    sn_buf_clear(&b);
    sn_sql_count(&b, &sn_dialect_postgres, &memo_model);
    expect_text("plan count", sn_buf_cstr(&b), "SELECT COUNT(*) FROM \"memos\" WHERE \"deleted_at\" IS NULL");
    sn_buf_clear(&b);
    assert_true(sn_sql_create_index_at(&b, &sn_dialect_sqlite, &memo_model, 0, 0));
    expect_text("partial", sn_buf_cstr(&b),
                "CREATE UNIQUE INDEX \"memos_body_key\" ON \"memos\" (\"body\") WHERE \"deleted_at\" IS NULL;\n");
    sn_buf_clear(&b);
    assert_true(sn_sql_create_index_at(&b, &sn_dialect_mariadb, &memo_model, 0, 0));
    expect_text("no partial indexes", sn_buf_cstr(&b), "CREATE UNIQUE INDEX `memos_body_key` ON `memos` (`body`(255));\n");
    /* a flush's soft deletes: one UPDATE by keys, the field first, rows deleted already not matched */
    sn_buf_clear(&b);
    const unsigned soft_set[] = {2};
    sn_delete many = {.model = &memo_model, .keys = memo_pk, .nkeys = 1, .rows = 3};
    assert_int_equal(sn_sql_soft_delete_stmt(&b, &sn_dialect_postgres, &many, soft_set, 1), SINEW_OK);
    expect_text("soft batch", sn_buf_cstr(&b),
                "UPDATE \"memos\" SET \"deleted_at\" = $1 WHERE \"id\" IN ($2, $3, $4) AND \"deleted_at\" IS NULL");
    sn_buf_clear(&b);
    many.rows = 1;
    assert_int_equal(sn_sql_soft_delete_stmt(&b, &sn_dialect_mariadb, &many, soft_set, 1), SINEW_OK);
    expect_text("soft one", sn_buf_cstr(&b), "UPDATE `memos` SET `deleted_at` = ? WHERE `id` = ? AND `deleted_at` IS NULL");
    sn_buf_clear(&b);
    /* with @version: version = version + 1, the rows matched by key and the version loaded */
    sn_buf_clear(&b);
    sn_delete vmany = {.model = &vmemo_model, .keys = vmemo_by, .nkeys = 2, .rows = 2};
    assert_int_equal(sn_sql_soft_delete_stmt(&b, &sn_dialect_postgres, &vmany, soft_set, 1), SINEW_OK);
    expect_text("soft batch with version", sn_buf_cstr(&b),
                "UPDATE \"vmemos\" SET \"deleted_at\" = $1, \"version\" = \"version\" + 1 WHERE (\"id\", \"version\") "
                "IN (($2, $3), ($4, $5)) AND \"deleted_at\" IS NULL");
    sn_buf_clear(&b);
    const unsigned not_the_field[] = {1};
    assert_int_equal(sn_sql_soft_delete_stmt(&b, &sn_dialect_sqlite, &many, not_the_field, 1), SINEW_INTERNAL);
    sn_buf_free(&b);
    sn_sql_out_free(&o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(select_with_join_filter_order_and_paging),
        cmocka_unit_test(subquery_parameters_follow_the_outer_ones),
        cmocka_unit_test(scalars_wrap_paged_rows_and_drop_an_unneeded_order),
        cmocka_unit_test(grouped_rows),
        cmocka_unit_test(bulk_update_and_delete),
        cmocka_unit_test(soft_deleted_rows_are_left_out),
        cmocka_unit_test(inserts_and_deletes_by_fields),
        cmocka_unit_test(batch_loader_select),
        cmocka_unit_test(correlated_subqueries_and_windows),
        cmocka_unit_test(combined_rows),
        cmocka_unit_test(json_paths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
