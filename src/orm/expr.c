/*
 * expr.c - building filter expressions. Constructors need no query: they
 * allocate nodes (through the sinew allocator) that the query takes over.
 * They check types as they build, so `text = 42` becomes an error node
 * that the query reports as SINEW_MISUSE, never malformed SQL. Values are
 * copied, so the caller's buffers stay the caller's.
 */
#include <stdio.h>
#include <string.h>
#include "query_int.h"

static sinew_expr nomem_node = {.kind = X_ERROR, .err = SINEW_NOMEM};

sinew_expr *sn_x_error(int status, const char *fmt, ...)
{
    sinew_expr *e = sn_calloc(1, sizeof *e);
    if (!e) return &nomem_node;
    e->kind = X_ERROR;
    e->err = status;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    e->errmsg = sn_strdup(msg);
    return e;
}

void sinew_expr_free(sinew_expr *e)
{
    if (!e || e == &nomem_node) return;
    sinew_expr_free(e->l);
    sinew_expr_free(e->r);
    sinew_query_free(e->sub);
    sn_free(e->vals);
    sn_free(e->store);
    sn_free(e->errmsg);
    sn_free(e);
}

static int is_str(sinew_type t) { return t == SINEW_TEXT || t == SINEW_JSON || t == SINEW_DECIMAL || t == SINEW_BLOB; }

int sn_value_copy(const sinew_value *in, size_t n, sinew_value **out, char **store)
{
    *out = NULL;
    *store = NULL;
    if (n == 0) return SINEW_OK;
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        if (!in[i].is_null && is_str(in[i].type)) total += in[i].u.s.len + 1;
    sinew_value *v = sn_malloc(n * sizeof *v);
    char *st = total ? sn_malloc(total) : NULL;
    if (!v || (total && !st)) {
        sn_free(v);
        sn_free(st);
        return sn_nomem();
    }
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        v[i] = in[i];
        if (!in[i].is_null && is_str(in[i].type)) {
            if (in[i].u.s.len) memcpy(st + at, in[i].u.s.ptr, in[i].u.s.len);
            st[at + in[i].u.s.len] = '\0';
            v[i].u.s.ptr = st + at;
            at += in[i].u.s.len + 1;
        }
    }
    *out = v;
    *store = st;
    return SINEW_OK;
}

/* ---- columns ---- */

sinew_col sinew_column(const sinew_model *model, unsigned field)
{
    sinew_col c;
    memset(&c, 0, sizeof c);
    c.model = model;
    c.field = field;
    return c;
}

sinew_col sinew_via(const sinew_relation *rel, sinew_col col)
{
    if (col.nvia >= SINEW_MAX_PATH) {
        col.nvia = SINEW_MAX_PATH + 1;   /* reported when used */
        return col;
    }
    memmove(&col.via[1], &col.via[0], (size_t)col.nvia * sizeof col.via[0]);
    col.via[0] = rel;
    col.nvia++;
    return col;
}

sinew_col sinew_col_op(sinew_col col, char op, sinew_value v)
{
    col.arith = op;
    col.arith_value = v;
    return col;
}

static const sinew_field *col_field(const sinew_col *c)
{
    if (!c->model || c->field >= c->model->nfields) return NULL;
    return &c->model->fields[c->field];
}

static int numeric(sinew_type t) { return t == SINEW_INT32 || t == SINEW_INT64 || t == SINEW_DOUBLE || t == SINEW_BOOL; }

/* the type a column expression yields */
sinew_type sn_col_type(const sinew_col *c)
{
    const sinew_field *f = col_field(c);
    if (c->arith && f && c->arith_value.type == SINEW_DOUBLE) return SINEW_DOUBLE;
    if (c->json_type) return c->json_type;
    return f ? f->type : SINEW_INT64;
}
#define col_type sn_col_type

sinew_col sinew_json_path(sinew_col col, const char *path, sinew_type type)
{
    /* kept inside the column (so the caller's string may go); checked where the column is used, which
     * reports a path that is NULL or too long (left empty here), malformed, or the wrong type */
    col.json_type = type ? type : (sinew_type)999;   /* 0 would mean no path: reported as a wrong type */
    size_t n = path ? strlen(path) : SINEW_MAX_JSON_PATH;
    if (n < SINEW_MAX_JSON_PATH) memcpy(col.json_path, path, n + 1);
    else col.json_path[0] = '\0';
    return col;
}

/*
 * Text compared with an enum column must be one of the enum's values: a
 * misspelt one ("opne") would match nothing, silently. NULL when it is one,
 * else an error node naming the valid values.
 */
static sinew_expr *enum_text_check(const sinew_col *c, const sinew_field *f, const sinew_value *v, const char *op)
{
    const sinew_enum *en = f->enum_type;
    if (!en) return NULL;
    for (size_t i = 0; i < en->nvalues; i++)
        if (strlen(en->values[i]) == v->u.s.len && memcmp(en->values[i], v->u.s.ptr, v->u.s.len) == 0) return NULL;
    char list[320];
    size_t at = 0;
    list[0] = '\0';
    for (size_t i = 0; i < en->nvalues; i++) {
        int w = snprintf(list + at, sizeof list - at, "%s%s", i ? ", " : "", en->values[i]);
        if (w < 0 || (size_t)w >= sizeof list - at - 5) {   /* keep room for the ellipsis */
            snprintf(list + at, sizeof list - at, ", ...");
            break;
        }
        at += (size_t)w;
    }
    return sn_x_error(SINEW_MISUSE, "%s.%s %s '%.*s': not a value of enum %s, so it can never match; the values are: %s",
                      c->model->name, f->name, op, (int)(v->u.s.len > 64 ? 64 : v->u.s.len), v->u.s.ptr, en->name, list);
}

sinew_expr *sn_x_check_col(const sinew_col *c)
{
    const sinew_field *f = col_field(c);
    if (!f) return sn_x_error(SINEW_MISUSE, "column refers to no field (model %s, field %u)",
                              c->model ? c->model->name : "NULL", c->field);
    if (c->nvia > SINEW_MAX_PATH)
        return sn_x_error(SINEW_MISUSE, "relation path to %s.%s is longer than %d hops", c->model->name,
                          f->name, SINEW_MAX_PATH);
    if (c->json_type) {
        sinew_type jt = c->json_type;
        if (f->type != SINEW_JSON)
            return sn_x_error(SINEW_MISUSE, "sinew_json_path: %s.%s is %s, not json; a path reads inside a json field",
                              c->model->name, f->name, sinew_type_name(f->type));
        if (jt != SINEW_TEXT && jt != SINEW_INT64 && jt != SINEW_DOUBLE && jt != SINEW_BOOL)
            return sn_x_error(SINEW_MISUSE, "sinew_json_path on %s.%s: read the value as SINEW_TEXT, SINEW_INT64, "
                              "SINEW_DOUBLE or SINEW_BOOL, not type %d", c->model->name, f->name, (int)jt);
        if (!c->json_path[0])
            return sn_x_error(SINEW_MISUSE, "sinew_json_path on %s.%s: the path is NULL or longer than %d bytes",
                              c->model->name, f->name, SINEW_MAX_JSON_PATH - 1);
        size_t at;
        const char *why;
        if (!sn_sql_json_path_valid(c->json_path, &at, &why))
            return sn_x_error(SINEW_MISUSE, "sinew_json_path on %s.%s: malformed path \"%s\" at offset %zu: %s; "
                              "write it as $.key.key[0]", c->model->name, f->name, c->json_path, at, why);
    }
    if (c->arith) {
        if (!strchr("+-*/", c->arith))
            return sn_x_error(SINEW_MISUSE, "arithmetic on %s.%s: operator '%c' is not one of + - * /",
                              c->model->name, f->name, c->arith);
        if (!numeric(col_type(c)) || !numeric(c->arith_value.type) || c->arith_value.is_null)
            return sn_x_error(SINEW_MISUSE, "arithmetic on %s.%s needs a numeric column and a non-NULL number",
                              c->model->name, f->name);
    }
    return NULL;
}

/* Text that no backend compares the same way is refused as it would be when written (values.c):
 * a NUL byte (PostgreSQL's text cannot hold one), a decimal that is not a number. */
static sinew_expr *check_text_value(const sinew_col *c, const sinew_field *f, sinew_type ct, const sinew_value *v,
                                    const char *op)
{
    if (v->type != SINEW_TEXT && v->type != SINEW_JSON && v->type != SINEW_DECIMAL) return NULL;
    const char *nul = v->u.s.len ? memchr(v->u.s.ptr, '\0', v->u.s.len) : NULL;
    if (nul)
        return sn_x_error(SINEW_MISUSE, "the value compared with %s.%s (%s) holds a NUL byte at offset %zu; text "
                          "cannot contain one on every backend: compare blobs with a blob field", c->model->name,
                          f->name, op, (size_t)(nul - v->u.s.ptr));
    if (ct == SINEW_DECIMAL && !sn_decimal_valid(v->u.s.ptr, v->u.s.len))
        return sn_x_error(SINEW_MISUSE, "cannot compare %s.%s (decimal) %s \"%.*s\": not a decimal number; write "
                          "digits with an optional sign, point and exponent, such as \"-12.50\"", c->model->name,
                          f->name, op, (int)(v->u.s.len > 40 ? 40 : v->u.s.len), v->u.s.ptr);
    return NULL;
}

/* can value v be compared with column c? On success *out is v converted for binding. */
sinew_expr *sn_x_check_value(const sinew_col *c, const sinew_value *v, sinew_value *out, const char *op)
{
    const sinew_field *f = col_field(c);
    sinew_type ct = col_type(c);
    *out = *v;
    if (v->is_null)
        return sn_x_error(SINEW_MISUSE, "%s.%s %s NULL never matches in SQL: use sinew_is_null() or sinew_not_null()",
                          c->model->name, f->name, op);
    int ok;
    switch (ct) {
    case SINEW_BOOL: case SINEW_INT32: case SINEW_INT64: case SINEW_DOUBLE: ok = numeric(v->type); break;
    case SINEW_TEXT: case SINEW_JSON: ok = v->type == SINEW_TEXT || v->type == SINEW_JSON; break;
    case SINEW_DECIMAL: ok = v->type == SINEW_TEXT || v->type == SINEW_DECIMAL || v->type == SINEW_INT32 ||
                             v->type == SINEW_INT64; break;
    case SINEW_ENUM:
        ok = v->type == SINEW_TEXT || v->type == SINEW_ENUM;
        if (v->type == SINEW_TEXT && !c->arith) {
            sinew_expr *bad = enum_text_check(c, f, v, op);
            if (bad) return bad;
        }
        if (ok && v->type == SINEW_ENUM) {
            if (!f->enum_type || v->u.i < 0 || (size_t)v->u.i >= f->enum_type->nvalues)
                return sn_x_error(SINEW_MISUSE, "%lld is not a value of enum %s (field %s.%s)", (long long)v->u.i,
                                  f->enum_type ? f->enum_type->name : "?", c->model->name, f->name);
            *out = sinew_v_text(f->enum_type->values[v->u.i]);
        }
        break;
    default: ok = v->type == ct; break;
    }
    if (!ok)
        return sn_x_error(SINEW_MISUSE, "cannot compare %s.%s (%s) %s a %s value; make the value with %s()",
                          c->model->name, f->name, sinew_type_name(ct), op, sinew_type_name(v->type),
                          sn_type_ctor(ct));
    return check_text_value(c, f, ct, out, op);
}

static sinew_expr *node(xkind k)
{
    sinew_expr *e = sn_calloc(1, sizeof *e);
    if (!e) {
        sn_nomem();
        return &nomem_node;
    }
    e->kind = k;
    return e;
}

static sinew_expr *with_values(sinew_expr *e, const sinew_value *vals, size_t n)
{
    if (e->kind == X_ERROR) return e;
    if (sn_value_copy(vals, n, &e->vals, &e->store)) {
        sinew_expr_free(e);
        return &nomem_node;
    }
    e->nvals = n;
    return e;
}

static const char *op_text(sinew_op op)
{
    switch (op) {
    case SINEW_EQ: return "=";
    case SINEW_NE: return "!=";
    case SINEW_LT: return "<";
    case SINEW_LE: return "<=";
    case SINEW_GT: return ">";
    case SINEW_GE: return ">=";
    }
    return "?";
}

sinew_expr *sinew_cmp(sinew_col c, sinew_op op, sinew_value v)
{
    sinew_expr *bad = sn_x_check_col(&c);
    if (bad) return bad;
    if (op < SINEW_EQ || op > SINEW_GE) return sn_x_error(SINEW_MISUSE, "unknown comparison operator %d", (int)op);
    sinew_value cv;
    if ((bad = sn_x_check_value(&c, &v, &cv, op_text(op)))) return bad;
    sinew_expr *e = node(X_CMP);
    if (e->kind == X_ERROR) return e;
    e->op = op;
    e->a = c;
    return with_values(e, &cv, 1);
}

sinew_expr *sinew_eq(sinew_col c, sinew_value v) { return sinew_cmp(c, SINEW_EQ, v); }
sinew_expr *sinew_ne(sinew_col c, sinew_value v) { return sinew_cmp(c, SINEW_NE, v); }
sinew_expr *sinew_lt(sinew_col c, sinew_value v) { return sinew_cmp(c, SINEW_LT, v); }
sinew_expr *sinew_le(sinew_col c, sinew_value v) { return sinew_cmp(c, SINEW_LE, v); }
sinew_expr *sinew_gt(sinew_col c, sinew_value v) { return sinew_cmp(c, SINEW_GT, v); }
sinew_expr *sinew_ge(sinew_col c, sinew_value v) { return sinew_cmp(c, SINEW_GE, v); }

sinew_expr *sinew_cmp_col(sinew_col a, sinew_op op, sinew_col b)
{
    sinew_expr *bad = sn_x_check_col(&a);
    if (!bad) bad = sn_x_check_col(&b);
    if (bad) return bad;
    sinew_type ta = col_type(&a), tb = col_type(&b);
    if (!(ta == tb || (numeric(ta) && numeric(tb))))
        return sn_x_error(SINEW_MISUSE, "cannot compare %s.%s (%s) with %s.%s (%s)", a.model->name,
                          a.model->fields[a.field].name, sinew_type_name(ta), b.model->name,
                          b.model->fields[b.field].name, sinew_type_name(tb));
    sinew_expr *e = node(X_CMPCOL);
    if (e->kind == X_ERROR) return e;
    e->op = op;
    e->a = a;
    e->b = b;
    return e;
}

static sinew_expr *in_list(xkind k, sinew_col c, const sinew_value *vals, size_t n)
{
    sinew_expr *bad = sn_x_check_col(&c);
    if (bad) return bad;
    if (n && !vals) return sn_x_error(SINEW_MISUSE, "sinew_in: values is NULL but n is %zu", n);
    sinew_value *conv = n ? sn_malloc(n * sizeof *conv) : NULL;
    if (n && !conv) return &nomem_node;
    for (size_t i = 0; i < n; i++)
        if ((bad = sn_x_check_value(&c, &vals[i], &conv[i], "IN"))) {
            sn_free(conv);
            return bad;
        }
    sinew_expr *e = node(k);
    if (e->kind != X_ERROR) {
        e->a = c;
        e = with_values(e, conv, n);
    }
    sn_free(conv);
    return e;
}

sinew_expr *sinew_in(sinew_col c, const sinew_value *v, size_t n) { return in_list(X_IN, c, v, n); }
sinew_expr *sinew_not_in(sinew_col c, const sinew_value *v, size_t n) { return in_list(X_NOTIN, c, v, n); }

sinew_expr *sinew_in_query(sinew_col c, sinew_query *sub, sinew_col sub_col)
{
    sinew_expr *bad = sn_x_check_col(&c);
    if (!bad) bad = sn_x_check_col(&sub_col);
    if (!bad && !sub) bad = sn_x_error(SINEW_MISUSE, "sinew_in_query: subquery is NULL");
    if (!bad && sub_col.json_type)
        bad = sn_x_error(SINEW_MISUSE, "sinew_in_query: the subquery's column is a JSON path; it must be a column "
                         "of the subquery's model");
    if (!bad && sub_col.model != sub->model)
        bad = sn_x_error(SINEW_MISUSE, "sinew_in_query: column %s.%s is not a column of the subquery's model %s",
                         sub_col.model->name, sub_col.model->fields[sub_col.field].name, sub->model->name);
    if (bad) {
        sinew_query_free(sub);
        return bad;
    }
    sinew_expr *e = node(X_INSUB);
    if (e->kind == X_ERROR) {
        sinew_query_free(sub);
        return e;
    }
    e->a = c;
    e->b = sub_col;
    e->sub = sub;
    e->subsel = &sub->sel;
    return e;
}

static sinew_expr *like(xkind k, sinew_col c, const char *pattern)
{
    sinew_expr *bad = sn_x_check_col(&c);
    if (bad) return bad;
    sinew_type t = col_type(&c);
    if (t != SINEW_TEXT && t != SINEW_JSON && t != SINEW_ENUM && t != SINEW_DECIMAL)
        return sn_x_error(SINEW_MISUSE, "LIKE needs a text column; %s.%s is %s", c.model->name,
                          c.model->fields[c.field].name, sinew_type_name(t));
    if (!pattern) return sn_x_error(SINEW_MISUSE, "LIKE pattern for %s.%s is NULL", c.model->name,
                                    c.model->fields[c.field].name);
    sinew_expr *e = node(k);
    if (e->kind == X_ERROR) return e;
    e->a = c;
    sinew_value v = sinew_v_text(pattern);
    return with_values(e, &v, 1);
}

sinew_expr *sinew_like(sinew_col c, const char *p) { return like(X_LIKE, c, p); }
sinew_expr *sinew_ilike(sinew_col c, const char *p) { return like(X_ILIKE, c, p); }

static sinew_expr *nullness(xkind k, sinew_col c)
{
    sinew_expr *bad = sn_x_check_col(&c);
    if (bad) return bad;
    sinew_expr *e = node(k);
    if (e->kind != X_ERROR) e->a = c;
    return e;
}

sinew_expr *sinew_is_null(sinew_col c) { return nullness(X_NULL, c); }
sinew_expr *sinew_not_null(sinew_col c) { return nullness(X_NOTNULL, c); }

sinew_expr *sinew_between(sinew_col c, sinew_value lo, sinew_value hi)
{
    sinew_expr *bad = sn_x_check_col(&c);
    if (bad) return bad;
    sinew_value v[2];
    if ((bad = sn_x_check_value(&c, &lo, &v[0], "BETWEEN")) || (bad = sn_x_check_value(&c, &hi, &v[1], "BETWEEN")))
        return bad;
    sinew_expr *e = node(X_BETWEEN);
    if (e->kind == X_ERROR) return e;
    e->a = c;
    return with_values(e, v, 2);
}

static sinew_expr *combine(xkind k, sinew_expr *a, sinew_expr *b)
{
    if (!a || !b) {
        sinew_expr_free(a);
        sinew_expr_free(b);
        return sn_x_error(SINEW_MISUSE, "sinew_and/sinew_or: an operand is NULL");
    }
    if (a->kind == X_ERROR) {
        sinew_expr_free(b);
        return a;
    }
    if (b->kind == X_ERROR) {
        sinew_expr_free(a);
        return b;
    }
    sinew_expr *e = node(k);
    if (e->kind == X_ERROR) {
        sinew_expr_free(a);
        sinew_expr_free(b);
        return e;
    }
    e->l = a;
    e->r = b;
    return e;
}

sinew_expr *sinew_and(sinew_expr *a, sinew_expr *b) { return combine(X_AND, a, b); }
sinew_expr *sinew_or(sinew_expr *a, sinew_expr *b) { return combine(X_OR, a, b); }

sinew_expr *sinew_not(sinew_expr *a)
{
    if (!a) return sn_x_error(SINEW_MISUSE, "sinew_not: operand is NULL");
    if (a->kind == X_ERROR) return a;
    sinew_expr *e = node(X_NOT);
    if (e->kind == X_ERROR) {
        sinew_expr_free(a);
        return e;
    }
    e->l = a;
    return e;
}

/* json column c holds (as a JSON superset) the JSON value `json`: PostgreSQL's jsonb @>, MariaDB's
 * JSON_CONTAINS; refused where the dialect has neither (when the query takes it) */
sinew_expr *sinew_json_contains(sinew_col c, const char *json)
{
    sinew_expr *bad = sn_x_check_col(&c);
    if (bad) return bad;
    const sinew_field *f = col_field(&c);
    if (f->type != SINEW_JSON || c.json_type || c.arith)
        return sn_x_error(SINEW_MISUSE, "sinew_json_contains: %s.%s is %s; containment tests a json field itself "
                          "(no path, no arithmetic)", c.model->name, f->name,
                          c.json_type || c.arith ? "an expression" : sinew_type_name(f->type));
    if (!json) return sn_x_error(SINEW_MISUSE, "sinew_json_contains on %s.%s: the JSON value is NULL", c.model->name,
                                 f->name);
    size_t at;
    const char *why;
    if (!sn_json_valid(json, strlen(json), &at, &why))
        return sn_x_error(SINEW_MISUSE, "sinew_json_contains on %s.%s: the value is not JSON (offset %zu: %s)",
                          c.model->name, f->name, at, why);
    sinew_expr *e = node(X_JSONHAS);
    if (e->kind == X_ERROR) return e;
    e->a = c;
    sinew_value v = sinew_v_json(json);
    return with_values(e, &v, 1);
}
