/*
 * fuzz_query - libFuzzer target for the query builder, driven by fuzz
 * bytes: columns (valid, out of range, of another model), operators, values
 * of every type (mismatched ones too), AND/OR/NOT trees, ordering, limits;
 * then the SQL is rendered and run on an in-memory SQLite database. Builder
 * errors are fine; crashes, leaks and malformed SQL (a prepare error) are not.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "sinew/sinew.h"

typedef struct Row {
    int64_t id;
    char *name;
    int32_t score;
    double ratio;
    bool has_ratio;
} Row;
static const sinew_field row_fields[] = {
    SINEW_FIELD(Row, id, SINEW_INT64, SINEW_FIELD_PK | SINEW_FIELD_AUTO),
    SINEW_FIELD(Row, name, SINEW_TEXT, SINEW_FIELD_NULLABLE),
    SINEW_FIELD(Row, score, SINEW_INT32, 0),
    SINEW_FIELD_OPT(Row, ratio, SINEW_DOUBLE, 0),
};
static const unsigned row_pk[] = {0};
static const sinew_model row_model = SINEW_MODEL(Row, "Row", "rows_", "row", row_fields, row_pk);
static const sinew_model other_model = SINEW_MODEL(Row, "Other", "others", "other", row_fields, row_pk);

typedef struct input {
    const uint8_t *p;
    size_t n;
} input;

static unsigned byte(input *in)
{
    if (!in->n) return 0;
    in->n--;
    return *in->p++;
}

static sinew_col column(input *in)
{
    unsigned b = byte(in);
    const sinew_model *m = (b & 0x80) ? &other_model : &row_model;
    int field = (int)(b % 6) - 1;   /* -1 and 4 are out of range */
    sinew_col c = sinew_column(m, field);
    if (b & 0x40) c = sinew_col_op(c, "+-*/%"[byte(in) % 5], sinew_v_int64((int64_t)byte(in) - 128));
    return c;
}

static char textbuf[64][32];
static int ntext;

static sinew_value value(input *in)
{
    switch (byte(in) % 7) {
    case 0: return sinew_v_int64((int64_t)(int8_t)byte(in) * 1000003);
    case 1: return sinew_v_int32((int32_t)(int8_t)byte(in));
    case 2: return sinew_v_double((double)(int8_t)byte(in) / 3.0);
    case 3: {
        char *t = textbuf[ntext++ % 64];
        size_t len = byte(in) % 31;
        for (size_t i = 0; i < len; i++) t[i] = (char)byte(in);
        return sinew_v_text_n(t, len);
    }
    case 4: return sinew_v_null(SINEW_INT64);
    case 5: return sinew_v_bool(byte(in) & 1);
    default: return sinew_v_blob("\0x\0", 3);
    }
}

static sinew_expr *expr(input *in, int depth)
{
    unsigned k = byte(in) % 12;
    if (depth > 4) k %= 8;
    sinew_value vals[4];
    switch (k) {
    case 0: return sinew_cmp(column(in), (sinew_op)(byte(in) % 8), value(in));
    case 1: return sinew_eq(column(in), value(in));
    case 2: {
        size_t n = byte(in) % 5;
        for (size_t i = 0; i < n; i++) vals[i] = value(in);
        return (byte(in) & 1) ? sinew_in(column(in), vals, n) : sinew_not_in(column(in), vals, n);
    }
    case 3: {
        char *t = textbuf[ntext++ % 64];
        size_t len = byte(in) % 31;
        for (size_t i = 0; i < len; i++) t[i] = (char)(byte(in) | 1);
        t[len] = '\0';
        return (byte(in) & 1) ? sinew_like(column(in), t) : sinew_ilike(column(in), t);
    }
    case 4: return sinew_is_null(column(in));
    case 5: return sinew_not_null(column(in));
    case 6: return sinew_between(column(in), value(in), value(in));
    case 7: return sinew_cmp_col(column(in), (sinew_op)(byte(in) % 7), column(in));
    case 8: return sinew_and(expr(in, depth + 1), expr(in, depth + 1));
    case 9: return sinew_or(expr(in, depth + 1), expr(in, depth + 1));
    case 10: return sinew_not(expr(in, depth + 1));
    default: return NULL;
    }
}

static sinew_db *db;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!db) {
        if (sinew_open("sqlite::memory:", &db) || sinew_create_table(db, &row_model) ||
            sinew_exec(db, "INSERT INTO rows_ (name, score, ratio) VALUES ('a', 1, 0.5), (NULL, 2, NULL), ('B', 3, 1.5)"))
            abort();
    }
    input in = {data, size};
    sinew_session *s;
    if (sinew_session_new(db, &s)) return 0;
    sinew_query *q = sinew_query_new(s, &row_model);
    int steps = (int)(byte(&in) % 8);
    for (int i = 0; i < steps; i++) {
        switch (byte(&in) % 6) {
        case 0: sinew_where(q, expr(&in, 0)); break;
        case 1: sinew_exclude(q, expr(&in, 0)); break;
        case 2: sinew_order_nulls(q, column(&in), (sinew_dir)(byte(&in) & 1), (sinew_nulls)(byte(&in) % 3)); break;
        case 3: sinew_limit(q, (int64_t)(int8_t)byte(&in)); break;
        case 4: sinew_offset(q, (int64_t)(int8_t)byte(&in)); break;
        default: sinew_distinct(q); break;
        }
    }
    const char *sql = sinew_query_sql(q);
    sinew_list l;
    int rc = sinew_all(q, &l);
    /* a query the builder accepted must be valid SQL */
    if (sql && rc != SINEW_OK && rc != SINEW_NOMEM) abort();
    int64_t n;
    (void)sinew_query_count(q, &n);
    sinew_query_free(q);
    sinew_session_free(s);
    return 0;
}
