/*
 * postgres_introspect.c - the PostgreSQL driver's introspect and
 * introspect_schemas members: read a live database (the schemas of the
 * search path, usually just "public", or the named ones) from pg_catalog and
 * hand what it read to the schema layer's builder (schema/introspect.h),
 * with a note for everything the graph cannot say. It runs plain queries
 * through the driver's own vtable on the connection, so it needs no libpq
 * calls of its own. Identity and serial columns are @auto; unique
 * constraints and unique indexes both count as unique; partial indexes
 * keep their predicate (where:); expression indexes are left out (the graph
 * cannot express them; noted).
 * Constraint names (primary key, foreign keys, CHECKs) are passed on only
 * when they are not PostgreSQL's defaults, so a pulled file names what the
 * database named on purpose.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "driver/readers.h"
#include "driver/strlist.h"
#include "schema/introspect.h"
#include "sql/dialect.h"

/* a table by its qualified, quoted name ("app"."users", as format('%I.%I') writes it): two schemas
 * may hold tables of the same name */
#define REL "to_regclass($1)"

/* one catalog query: the driver's statement on the connection being read */
typedef struct cat_query {
    const sinew_driver *drv;
    sinew_stmt *stmt;
} cat_query;

static int cq_step(cat_query *x) { return x->drv->step(x->stmt); }
static void cq_end(cat_query *x) { x->drv->finalize(x->stmt); }

static const char *txt(cat_query *x, int i)
{
    if (x->drv->column_storage(x->stmt, i) == SINEW_STORAGE_NULL) return NULL;
    size_t n;
    return x->drv->column_text(x->stmt, i, &n);
}

static int open_q(cat_query *x, sinew_conn *db, const char *sql, const char *table)
{
    x->drv = &sinew_postgres_driver;
    int rc = x->drv->prepare(db, sql, &x->stmt);
    if (rc) return rc;
    if (table) {
        sinew_value v = sinew_v_text(table);
        rc = x->drv->bind(x->stmt, 0, &v);
        if (rc) cq_end(x);
    }
    return rc;
}


/* The columns of enum types, pulled as enums once their labels are read (after the column query). */
static int enum_columns(sinew_conn *db, sn_ib *b, int t, const char *table, sn_strlist *en)
{
    int rc = SINEW_OK;
    for (size_t i = 0; !rc && i + 3 <= en->n; i += 3) {
        const char *col = en->v[i], *type = en->v[i + 1], *dflt = en->v[i + 2];
        cat_query x;
        rc = open_q(&x, db, "SELECT e.enumlabel::text FROM pg_attribute a JOIN pg_enum e ON e.enumtypid = a.atttypid "
                            "WHERE a.attrelid = " REL " AND a.attname = $2 ORDER BY e.enumsortorder", NULL);
        if (rc) break;
        sinew_value v[2] = {sinew_v_text(table), sinew_v_text(col)};
        rc = x.drv->bind(x.stmt, 0, &v[0]);
        if (!rc) rc = x.drv->bind(x.stmt, 1, &v[1]);
        sn_strlist labels = {0};
        while (!rc && (rc = cq_step(&x)) == SINEW_ROW)
            if ((rc = sn_strlist_push(&labels, txt(&x, 0)))) break;
        cq_end(&x);
        if (rc == SINEW_DONE) rc = SINEW_OK;
        int done = 0;
        if (!rc) {
            done = sn_ib_enum_column(b, t, col, type, (const char *const *)labels.v, labels.n, dflt);
            if (done < 0) rc = sn_nomem();
        }
        if (!rc && done)
            sn_ib_note(b, t, col, "the PostgreSQL enum type %s is pulled as an enum; a migration made from this file "
                       "does not create the type: put its CREATE TYPE in that migration's SQL", type);
        else if (!rc)
            sn_ib_note(b, t, col, "the PostgreSQL enum type %s is read as text (a value is not a schema identifier); "
                       "@db_type keeps the type for DDL and drift, and the database checks the values", type);
        sn_strlist_clear(&labels);
        sn_free(labels.v);
    }
    return rc;
}

static int columns(sinew_conn *db, sn_ib *b, int t, const char *table)
{
    cat_query x;
    sn_strlist en = {0};
    int rc = open_q(&x, db,
        "SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull::int, "
        "pg_get_expr(d.adbin, d.adrelid), (a.attidentity <> '')::int, ty.typtype::text, ty.typcategory::text, "
        "(a.attgenerated <> '')::int, format_type(ty.typbasetype, NULL) "
        "FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
        "JOIN pg_type ty ON ty.oid = a.atttypid "
        "WHERE a.attrelid = " REL " AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum", table);
    if (rc) return rc;
    while ((rc = cq_step(&x)) == SINEW_ROW) {
        const char *name = txt(&x, 0), *dflt = txt(&x, 3), *decl = txt(&x, 1);
        int generated = (int)x.drv->column_i64(x.stmt, 7);
        /* a generated column's expression is not a default */
        rc = sn_ib_column(b, t, name, decl, (int)x.drv->column_i64(x.stmt, 2), generated ? NULL : dflt, 1);
        if (rc) { rc = sn_nomem(); break; }
        if (x.drv->column_i64(x.stmt, 4) || (dflt && strstr(dflt, "nextval(")))
            sn_ib_auto(b, t, name);
        const char *tt = txt(&x, 5), *cat = txt(&x, 6);
        if (generated && (rc = sn_ib_generated(b, t, name, dflt, 1))) { rc = sn_nomem(); break; }
        if (tt && !strcmp(tt, "e")) {
            if ((rc = sn_strlist_push(&en, name)) || (rc = sn_strlist_push(&en, decl)) || (rc = sn_strlist_push(&en, dflt))) break;
        } else if (tt && !strcmp(tt, "d")) {
            sn_ib_retype(b, t, name, txt(&x, 8), 1);     /* a domain holds what its base type holds */
            sn_ib_note(b, t, name, "the domain %s (over %s) is read as its base type; @db_type keeps its name, but DDL "
                       "made by sinew writes the base type; the database checks the domain's constraints", decl, txt(&x, 8) ? txt(&x, 8) : "?");
        } else if (cat && !strcmp(cat, "A"))
            sn_ib_note(b, t, name, "the array type %s is read as text (PostgreSQL's '{a,b}' form); @db_type keeps "
                       "the type for DDL and drift; sinew has no array fields", decl);
        else if (sn_type_from_sql(decl, 1) == SINEW_TEXT && decl && strcmp(decl, "text") &&
                 strncmp(decl, "character varying", 17) && strncmp(decl, "character(", 10) &&
                 strcmp(decl, "character"))
            sn_ib_note(b, t, name, "the type %s has no sinew equivalent and is read as text; @db_type keeps it for "
                       "DDL and drift; a write must be text the database accepts for it", decl);
    }
    cq_end(&x);
    if (rc == SINEW_DONE) rc = enum_columns(db, b, t, table, &en);
    sn_strlist_clear(&en);
    sn_free(en.v);
    return rc;
}

static int default_name(const char *name, const char *suffix);

static int primary_key(sinew_conn *db, sn_ib *b, int t, const char *table)
{
    cat_query x;
    int rc = open_q(&x, db,
        "SELECT a.attname, k.ord::int FROM pg_index i "
        "CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord) "
        "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum "
        "WHERE i.indrelid = " REL " AND i.indisprimary ORDER BY k.ord", table);
    if (rc) return rc;
    int n = 0;
    while ((rc = cq_step(&x)) == SINEW_ROW) {
        sn_ib_pk(b, t, txt(&x, 0), (int)x.drv->column_i64(x.stmt, 1));
        n++;
    }
    cq_end(&x);
    if (rc != SINEW_DONE) return rc;
    /* its name, when it is not PostgreSQL's own <table>_pkey */
    rc = open_q(&x, db, "SELECT conname FROM pg_constraint WHERE conrelid = " REL " AND contype = 'p'", table);
    if (rc) return rc;
    if ((rc = cq_step(&x)) == SINEW_ROW) {
        const char *nm = txt(&x, 0);
        rc = nm && !default_name(nm, "_pkey") ? sn_ib_pk_name(b, t, nm) : SINEW_OK;
        if (!rc) rc = SINEW_DONE;
    }
    cq_end(&x);
    (void)n;
    return rc == SINEW_DONE ? SINEW_OK : rc;
}

/*
 * A name PostgreSQL made itself: <table>_pkey, <table>_<columns>_fkey, <table>_<column>_check, with a
 * number after on a clash. Recognised by the suffix alone: such a name keeps the old table or column
 * in it after a rename (ALTER TABLE ... RENAME does not rename constraints), and is still no name
 * anyone chose.
 */
static int default_name(const char *name, const char *suffix)
{
    size_t n = name ? strlen(name) : 0, k = strlen(suffix);
    while (n && name[n - 1] >= '0' && name[n - 1] <= '9') n--;
    return n > k && !strncmp(name + n - k, suffix, k);
}

static int checks(sinew_conn *db, sn_ib *b, int t, const char *table)
{
    cat_query x;
    int rc = open_q(&x, db,
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = " REL " AND contype = 'c' "
        "AND conislocal ORDER BY conname", table);
    if (rc) return rc;
    while ((rc = cq_step(&x)) == SINEW_ROW) {
        const char *nm = txt(&x, 0), *def = txt(&x, 1);
        /* "CHECK ((rating >= 0))", perhaps with NOT VALID / NO INHERIT after: the expression inside */
        size_t n = def ? strlen(def) : 0;
        if (n < 8 || strncmp(def, "CHECK (", 7)) continue;
        size_t depth = 0, end = 6;
        for (size_t i = 6; i < n; i++) {
            if (def[i] == '(') depth++;
            else if (def[i] == ')' && --depth == 0) { end = i; break; }
        }
        char *expr = sn_strndup(def + 7, end > 7 ? end - 7 : 0);
        if (!expr) { rc = sn_nomem(); break; }
        rc = sn_ib_check(b, t, nm && !default_name(nm, "_check") ? nm : NULL, expr);
        if (!rc && strstr(def + end, "NOT VALID"))
            sn_ib_note(b, t, NULL, "the constraint %s is NOT VALID (rows before it are not checked); a migration "
                       "made from this file creates it valid", nm);
        sn_free(expr);
        if (rc) { rc = sn_nomem(); break; }
    }
    cq_end(&x);
    return rc == SINEW_DONE ? SINEW_OK : rc;
}

static int flush_index(sn_ib *b, int t, const char *name, int unique, sn_strlist *cols, const char *where)
{
    int ok = 1;
    for (size_t i = 0; i < cols->n; i++) if (!cols->v[i]) ok = 0;   /* expression index */
    int rc = ok ? sn_ib_index(b, t, name, unique, (const char *const *)cols->v, cols->n, where) : SINEW_OK;
    sn_strlist_clear(cols);
    return rc ? sn_nomem() : SINEW_OK;
}

static int indexes(sinew_conn *db, sn_ib *b, int t, const char *table)
{
    cat_query x;
    int rc = open_q(&x, db,
        "SELECT COALESCE(con.conname, ic.relname), i.indisunique::int, a.attname, pg_get_expr(i.indpred, i.indrelid) "
        "FROM pg_index i "
        "JOIN pg_class ic ON ic.oid = i.indexrelid "
        "LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.contype = 'u' "
        "CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord) "
        "LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum "
        "WHERE i.indrelid = " REL " AND NOT i.indisprimary "
        "ORDER BY 1, k.ord", table);
    if (rc) return rc;
    sn_strlist cols = {0};
    char *cur = NULL, *where = NULL;
    int uniq = 0;
    while ((rc = cq_step(&x)) == SINEW_ROW) {
        const char *name = txt(&x, 0);
        if (!cur || strcmp(cur, name) != 0) {
            if (cur && (rc = flush_index(b, t, cur, uniq, &cols, where))) break;
            sn_free(cur);
            sn_free(where);
            cur = sn_strdup(name);
            where = txt(&x, 3) ? sn_strdup(txt(&x, 3)) : NULL;   /* a partial index's predicate */
            if (!cur || (txt(&x, 3) && !where)) { rc = sn_nomem(); break; }
            uniq = (int)x.drv->column_i64(x.stmt, 1);
        }
        if ((rc = sn_strlist_push(&cols, txt(&x, 2)))) break;
    }
    cq_end(&x);
    if (rc == SINEW_DONE) rc = cur ? flush_index(b, t, cur, uniq, &cols, where) : SINEW_OK;
    sn_strlist_clear(&cols);
    sn_free(cols.v);
    sn_free(cur);
    sn_free(where);
    if (rc) return rc;
    /* what the graph cannot hold: index methods other than btree, partial and expression indexes,
     * CHECK constraints */
    rc = open_q(&x, db,
        "SELECT ic.relname, am.amname::text FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid "
        "JOIN pg_am am ON am.oid = ic.relam WHERE i.indrelid = " REL " AND NOT i.indisprimary "
        "AND i.indexprs IS NULL AND am.amname <> 'btree' ORDER BY 1", table);
    if (rc) return rc;
    while ((rc = cq_step(&x)) == SINEW_ROW)
        sn_ib_note(b, t, NULL, "the index %s uses %s; the schema keeps its name and columns only (drift compares "
                   "those), and DDL made by sinew would write a btree index", txt(&x, 0), txt(&x, 1));
    cq_end(&x);
    if (rc != SINEW_DONE) return rc;
    rc = open_q(&x, db,
        "SELECT ic.relname, i.indisunique::int, (i.indpred IS NOT NULL)::int, pg_get_indexdef(i.indexrelid) "
        "FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid "
        "WHERE i.indrelid = " REL " AND NOT i.indisprimary AND i.indexprs IS NOT NULL "
        "ORDER BY 1", table);
    if (rc) return rc;
    while ((rc = cq_step(&x)) == SINEW_ROW)
        sn_ib_note(b, t, NULL, "the %s %sindex %s is not pulled (drift does not see it); keep it in a migration's "
                   "SQL: %s", x.drv->column_i64(x.stmt, 2) ? "partial expression" : "expression",
                   x.drv->column_i64(x.stmt, 1) ? "unique " : "", txt(&x, 0), txt(&x, 3));
    cq_end(&x);
    return rc == SINEW_DONE ? SINEW_OK : rc;
}

static int qualified_schema(const sn_strlist *named, const char *nsp);

static int foreign_keys(sinew_conn *db, sn_ib *b, int t, const char *table, const sn_strlist *named)
{
    cat_query x;
    int rc = open_q(&x, db,
        "SELECT con.conname, k.ord::int, la.attname, ft.relname, fa.attname, "
        "con.confdeltype::text, con.confupdtype::text, (k.ord = cardinality(con.conkey))::int, fn.nspname "
        "FROM pg_constraint con JOIN pg_class ft ON ft.oid = con.confrelid "
        "JOIN pg_namespace fn ON fn.oid = ft.relnamespace "
        "CROSS JOIN LATERAL unnest(con.conkey::int2[], con.confkey::int2[]) WITH ORDINALITY AS k(l, f, ord) "
        "JOIN pg_attribute la ON la.attrelid = con.conrelid AND la.attnum = k.l "
        "JOIN pg_attribute fa ON fa.attrelid = con.confrelid AND fa.attnum = k.f "
        "WHERE con.conrelid = " REL " AND con.contype = 'f' ORDER BY con.conname, k.ord", table);
    if (rc) return rc;
    int id = -1;
    char *cur = NULL;
    while ((rc = cq_step(&x)) == SINEW_ROW) {
        const char *name = txt(&x, 0);
        if (!cur || strcmp(cur, name) != 0) {
            sn_free(cur);
            cur = sn_strdup(name);
            if (!cur) { rc = sn_nomem(); break; }
            id++;
        }
        rc = sn_ib_fk(b, t, id, (int)x.drv->column_i64(x.stmt, 1), txt(&x, 2), txt(&x, 3), txt(&x, 4),
                      sn_fk_action_from_sql(txt(&x, 5)), sn_fk_action_from_sql(txt(&x, 6)));
        if (rc) { rc = sn_nomem(); break; }
        /* a key into a table of a schema named by --schema: that table's model has @@schema */
        if (qualified_schema(named, txt(&x, 8)) && (rc = sn_ib_fk_schema(b, t, id, txt(&x, 8)))) break;
        /* the name, unless it is one PostgreSQL made (<table>_<columns>_fkey) */
        if (x.drv->column_i64(x.stmt, 7) && !default_name(name, "_fkey") && (rc = sn_ib_fk_name(b, t, id, name))) break;
    }
    cq_end(&x);
    sn_free(cur);
    return rc == SINEW_DONE ? SINEW_OK : rc;
}

/* nsp is one of the schemas named explicitly, whose tables are read with their schema */
static int qualified_schema(const sn_strlist *named, const char *nsp)
{
    for (size_t i = 0; named && nsp && i < named->n; i++)
        if (named->v[i][0] && !strcmp(named->v[i], nsp)) return 1;
    return 0;
}

/* the list asks for the search path's tables too (an empty name, or no list) */
static int wants_path(const sn_strlist *named)
{
    if (!named || !named->n) return 1;
    for (size_t i = 0; i < named->n; i++) if (!named->v[i][0]) return 1;
    return 0;
}

/*
 * A Citus coordinator: how each table is distributed (pg_dist_partition), for `db pull` to write
 * @@distribute / @@reference and for drift to compare. Hash-distributed tables name their
 * column; reference tables are replicated ('n' with repmodel 't'); the rest (coordinator
 * tables, Citus local tables, the single shard of a schema-based-sharding schema) are local.
 * Without the extension nothing is read and the graph says nothing about distribution.
 * rels: the qualified names of the tables read, in the builder's order.
 */
static int distribution(sinew_conn *db, sn_ib *b, const sn_strlist *rels)
{
    cat_query x;
    int rc = open_q(&x, db, "SELECT count(*)::int FROM pg_extension WHERE extname = 'citus'", NULL);
    if (rc) return rc;
    rc = cq_step(&x);
    int citus = rc == SINEW_ROW && x.drv->column_i64(x.stmt, 0) > 0;
    cq_end(&x);
    if (rc != SINEW_ROW) return rc;
    if (!citus) return SINEW_OK;
    sn_ib_distributed_db(b);
    rc = open_q(&x, db,
        "SELECT format('%I.%I', n.nspname, c.relname), p.partmethod::text, p.repmodel::text, "
        "CASE WHEN p.partmethod = 'h' THEN column_to_column_name(p.logicalrelid, p.partkey) END "
        "FROM pg_dist_partition p JOIN pg_class c ON c.oid = p.logicalrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace", NULL);
    if (rc) return rc;
    while ((rc = cq_step(&x)) == SINEW_ROW) {
        const char *rel = txt(&x, 0), *method = txt(&x, 1), *rep = txt(&x, 2);
        for (size_t i = 0; i < rels->n; i++) {
            if (strcmp(rels->v[i], rel)) continue;
            sinew_distribution k = method && !strcmp(method, "h") ? SINEW_DIST_HASH
                                   : method && !strcmp(method, "n") && rep && !strcmp(rep, "t") ? SINEW_DIST_REFERENCE
                                   : SINEW_DIST_LOCAL;
            /* the builder's table index is the position among rels (tables are added in that order) */
            if ((rc = sn_ib_distribution(b, (int)i, k, txt(&x, 3)))) break;
            break;
        }
        if (rc && rc != SINEW_ROW) break;
        rc = SINEW_ROW;
    }
    cq_end(&x);
    return rc == SINEW_DONE ? SINEW_OK : rc;
}

/* the relations of one kind ('r','p' tables; 'v','m' views) of the search path, or of schema $1 */
#define TABLES_OF(kinds, where, order) \
    "SELECT c.relname, (SELECT p.relname FROM pg_inherits ih JOIN pg_class p ON p.oid = ih.inhparent " \
    "WHERE ih.inhrelid = c.oid ORDER BY ih.inhseqno LIMIT 1), c.relispartition::int, n.nspname, " \
    "c.relkind::text, format('%I.%I', n.nspname, c.relname) " \
    "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace " \
    "WHERE " where " AND c.relkind IN " kinds " AND c.relname NOT IN ('sinew_migrations', 'sinew_migrations_progress') ORDER BY " order

/* what the table list holds per relation read */
typedef struct rel_list {
    sn_strlist names, rels, schemas, parents, kinds;   /* schemas: "" for an unqualified one */
} rel_list;

static void rel_list_free(rel_list *l)
{
    sn_strlist *all[] = {&l->names, &l->rels, &l->schemas, &l->parents, &l->kinds};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        sn_strlist_clear(all[i]);
        sn_free(all[i]->v);
    }
}

/*
 * One listing query's rows into l: tables of the search path (qualify 0; a name an earlier
 * schema of the path has hides the later one, as it does for unqualified SQL; schemas named
 * explicitly are left to their own listing) or of one named schema (qualify 1).
 */
static int list_rels(sinew_conn *db, sn_ib *b, rel_list *l, const char *sql, const char *schema, int qualify,
                     const sn_strlist *named)
{
    cat_query x;
    int rc = open_q(&x, db, sql, schema);
    if (rc) return rc;
    while ((rc = cq_step(&x)) == SINEW_ROW) {
        const char *nsp = txt(&x, 3);
        if (!qualify && qualified_schema(named, nsp)) continue;
        int shadowed = 0;
        for (size_t k = 0; !qualify && k < l->names.n && !shadowed; k++)
            shadowed = !l->schemas.v[k][0] && !strcmp(l->names.v[k], txt(&x, 0));
        if (shadowed) {
            sn_ib_note(b, -1, NULL, "table %s.%s: not pulled, an earlier schema of the search path has a table "
                       "of that name; pull both with --schema %s --schema ... (their models get @@schema)",
                       nsp, txt(&x, 0), nsp);
            continue;
        }
        const char *par = txt(&x, 1);
        if (par && x.drv->column_i64(x.stmt, 2)) {
            /* a partition of a declaratively partitioned table: its rows are the parent's, read
             * through the parent's model (one model for the whole table) */
            sn_ib_note(b, -1, NULL, "table %s: a partition of %s, not pulled as a model of its own; read its rows "
                       "through %s (a migration made from the file creates %s unpartitioned: keep PARTITION BY "
                       "and the partitions in that migration's SQL)", txt(&x, 0), par, par, par);
            continue;
        }
        char how[200];     /* sn_strlist_push copies it; a PostgreSQL name has at most 63 bytes */
        if (par) snprintf(how, sizeof how, "%s of %s", x.drv->column_i64(x.stmt, 2) ? "a partition"
                          : "an INHERITS child", par);
        if ((rc = sn_strlist_push(&l->names, txt(&x, 0))) || (rc = sn_strlist_push(&l->rels, txt(&x, 5))) ||
            (rc = sn_strlist_push(&l->schemas, qualify ? nsp : "")) ||
            (rc = sn_strlist_push(&l->parents, par ? how : NULL)) || (rc = sn_strlist_push(&l->kinds, txt(&x, 4))))
            break;
    }
    cq_end(&x);
    return rc == SINEW_DONE ? SINEW_OK : rc;
}

/* the tables (views 0) or views (views 1) of the search path and of the named schemas */
static int list_all(sinew_conn *db, sn_ib *b, rel_list *l, int views, const sn_strlist *named)
{
    int rc = SINEW_OK;
    if (wants_path(named))
        rc = list_rels(db, b, l, views
                       ? TABLES_OF("('v', 'm')", "n.nspname = ANY (current_schemas(false))", "c.relname")
                       : TABLES_OF("('r', 'p')", "n.nspname = ANY (current_schemas(false))",
                                   "array_position(current_schemas(false), n.nspname), c.relname"),
                       NULL, 0, named);
    for (size_t i = 0; !rc && named && i < named->n; i++) {
        if (!named->v[i][0]) continue;
        rc = list_rels(db, b, l, views ? TABLES_OF("('v', 'm')", "n.nspname = $1", "c.relname")
                                       : TABLES_OF("('r', 'p')", "n.nspname = $1", "c.relname"),
                       named->v[i], 1, named);
    }
    return rc;
}

/*
 * The reader: the tables and views of the search path (unqualified: no @@schema, as the program's
 * SQL names them), and those of each schema named in `named` (with their schema: @@schema). named
 * NULL or empty: the search path only; an empty name in it: the search path as well.
 */
static int read_db(sinew_conn *db, const sn_strlist *named, sinew_schema **out)
{
    *out = NULL;
    sn_ib *b = sn_ib_new();
    if (!b) return SINEW_NOMEM;
    rel_list tl = {0}, vl = {0};
    int rc = list_all(db, b, &tl, 0, named);
    if (!rc) rc = list_all(db, b, &vl, 1, named);
    sn_strlist rels = {0};   /* the builder's tables in order, by qualified name (distribution) */
    /* views and materialized views: read-only @@view models of their columns */
    for (size_t i = 0; !rc && i < vl.names.n; i++) {
        int shadowed = 0;
        for (size_t k = 0; k < tl.names.n && !shadowed; k++)
            shadowed = !strcmp(tl.names.v[k], vl.names.v[i]) && !strcmp(tl.schemas.v[k], vl.schemas.v[i]);
        if (shadowed) continue;
        int t = sn_ib_table(b, vl.names.v[i]);
        if (t < 0 || (rc = sn_strlist_push(&rels, vl.rels.v[i]))) { rc = sn_nomem(); break; }
        if (vl.schemas.v[i][0] && (rc = sn_ib_table_schema(b, t, vl.schemas.v[i]))) break;
        rc = columns(db, b, t, vl.rels.v[i]);
        if (rc) break;
        sn_ib_view(b, t);
        int mat = !strcmp(vl.kinds.v[i], "m");
        sn_ib_note(b, t, NULL, "a %s, pulled as a read-only @@view model; a migration made from this file does not "
                   "create it: put its CREATE %sVIEW in that migration's SQL",
                   mat ? "materialized view" : "view", mat ? "MATERIALIZED " : "");
    }
    for (size_t i = 0; !rc && i < tl.names.n; i++) {
        int t = sn_ib_table(b, tl.names.v[i]);
        if (t < 0 || (rc = sn_strlist_push(&rels, tl.rels.v[i]))) { rc = sn_nomem(); break; }
        if (tl.schemas.v[i][0] && (rc = sn_ib_table_schema(b, t, tl.schemas.v[i]))) break;
        if (tl.kinds.v[i] && !strcmp(tl.kinds.v[i], "p"))
            sn_ib_note(b, t, NULL, "a partitioned table, pulled as one model (its partitions are not models); a "
                       "migration made from this file creates it unpartitioned: keep PARTITION BY and the "
                       "partitions in that migration's SQL");
        if (tl.parents.v[i])
            sn_ib_note(b, t, NULL, "%s: pulled as a model of its own; its rows are also the parent's (reading the "
                       "parent table includes them)", tl.parents.v[i]);
        const char *rel = tl.rels.v[i];
        rc = columns(db, b, t, rel);
        if (!rc) rc = primary_key(db, b, t, rel);
        if (!rc) rc = indexes(db, b, t, rel);
        if (!rc) rc = foreign_keys(db, b, t, rel, named);
        if (!rc) rc = checks(db, b, t, rel);
    }
    if (!rc) rc = distribution(db, b, &rels);
    rel_list_free(&tl);
    rel_list_free(&vl);
    sn_strlist_clear(&rels);
    sn_free(rels.v);
    if (!rc) rc = sn_ib_finish(b, out);
    sn_ib_free(b);
    return rc;
}

int sn_pg_introspect(sinew_conn *db, sinew_schema **out) { return read_db(db, NULL, out); }

/*
 * The tables of the named schemas, each model with its @@schema (so tables of the same name in
 * two of them are two models). An empty name stands for the search path, read unqualified as
 * sn_pg_introspect reads it: drift of a schema file whose models have @@schema and do not.
 */
int sn_pg_introspect_schemas(sinew_conn *db, const char *const *schemas, size_t n, sinew_schema **out)
{
    *out = NULL;
    sn_strlist named = {0};
    int rc = SINEW_OK;
    for (size_t i = 0; !rc && i < n; i++) {
        if ((rc = sn_strlist_push(&named, schemas[i]))) break;
        if (!schemas[i][0]) continue;
        cat_query x;
        rc = open_q(&x, db, "SELECT count(*)::int FROM pg_namespace WHERE nspname = $1", schemas[i]);
        if (rc) break;
        rc = cq_step(&x);
        int found = rc == SINEW_ROW && x.drv->column_i64(x.stmt, 0) > 0;
        cq_end(&x);
        rc = rc == SINEW_ROW ? SINEW_OK : rc;
        if (!rc && !found)
            rc = sinew_error_set(SINEW_NOTFOUND, "the database has no schema \"%s\" (list them with \\dn in psql)",
                                 schemas[i]);
    }
    if (!rc) rc = read_db(db, &named, out);
    sn_strlist_clear(&named);
    sn_free(named.v);
    return rc;
}
