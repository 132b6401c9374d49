/*
 * diagram.c - ER diagrams from the schema graph (tools layer).
 *
 * Both renderers walk the same model: every model is an entity titled with
 * its name and table, every field a row with type, PK/FK/UK marks and
 * nullability; every BELONGS_TO is a crow's-foot edge from the referencing
 * table to the referenced one (optional keys drawn as zero-or-one), a
 * unique key makes it one-to-one, and many-to-many is drawn through its
 * join table or folded into one M-N edge. A polymorphic relation is one edge
 * per target, dotted and labelled with all its targets. In the drift view each row and
 * table also carries its status against the live database: the list of
 * differences of the drift engine (sql/drift.h), the one `migrate check`
 * prints, drawn where each belongs (a column's on its row, a table's key,
 * index and foreign-key differences in its title).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "base.h"
#include "sql/drift.h"
#include "schema/introspect.h"
#include "sql/dialect.h"
#include "diagram/diagram_text.h"
#include "sinew/diagram.h"

typedef enum { ST_SAME = 0, ST_SCHEMA_ONLY, ST_DB_ONLY, ST_DIFF } status;

typedef struct dctx {
    const sinew_schema *s;
    const sinew_diagram_opts *o;
    FILE *f;
    dg_ids ids;   /* every entity's id, unique in the diagram (diagram_text.h) */
    const sn_drift_list *drift;   /* the drift view's differences, or NULL */
} dctx;

sinew_diagram_format sinew_diagram_format_parse(const char *n)
{
    if (!n) return 0;
    if (!strcmp(n, "mermaid") || !strcmp(n, "mmd")) return SINEW_DIAGRAM_MERMAID;
    if (!strcmp(n, "dot") || !strcmp(n, "gv")) return SINEW_DIAGRAM_DOT;
    if (!strcmp(n, "svg")) return SINEW_DIAGRAM_SVG;
    if (!strcmp(n, "png")) return SINEW_DIAGRAM_PNG;
    return 0;
}

/* ---- drift ------------------------------------------------------------------------- */

static int is_table_item(sn_drift_kind k)
{
    return k == SN_DRIFT_PRIMARY_KEY || k == SN_DRIFT_INDEX_MISSING || k == SN_DRIFT_INDEX_EXTRA ||
           k == SN_DRIFT_FK_MISSING || k == SN_DRIFT_FK_EXTRA || k == SN_DRIFT_DISTRIBUTION ||
           k == SN_DRIFT_CONSTRAINT_NAME || k == SN_DRIFT_CHECK_MISSING || k == SN_DRIFT_CHECK_EXTRA;
}

/* an item on model m's table: the same name in the same schema (@@schema) */
static int on_table(const sn_drift_item *it, const sinew_model *m)
{
    if (strcmp(it->table, m->table) != 0) return 0;
    return it->schema ? m->db_schema && !strcmp(it->schema, m->db_schema) : !m->db_schema;
}

static int has_item(const dctx *d, sn_drift_kind kind, const sinew_model *m, const char *column)
{
    for (size_t i = 0; d->drift && i < d->drift->n; i++) {
        const sn_drift_item *it = &d->drift->v[i];
        if (it->kind == kind && on_table(it, m) && (!column || (it->column && !strcmp(it->column, column))))
            return 1;
    }
    return 0;
}

/* The notes of the items on `table` (column NULL: its table-level ones), "; "-separated. */
static size_t notes(const dctx *d, const sinew_model *m, const char *column, char *note, size_t cap)
{
    size_t used = 0, n = 0;
    note[0] = '\0';
    for (size_t i = 0; d->drift && i < d->drift->n; i++) {
        const sn_drift_item *it = &d->drift->v[i];
        if (!on_table(it, m)) continue;
        if (column ? !(it->column && !strcmp(it->column, column)) || it->kind == SN_DRIFT_COLUMN_MISSING
                   : !is_table_item(it->kind))
            continue;
        if (used < cap) used += (size_t)snprintf(note + used, cap - used, "%s%s", n ? "; " : "", it->note);
        n++;
    }
    if (used >= cap && cap > 4) memcpy(note + cap - 4, "...", 4);   /* cut, and says so */
    return n;
}

/* a table's status against the live database; *note explains a difference */
static status table_status(const dctx *d, const sinew_model *m, char *note, size_t cap)
{
    note[0] = '\0';
    if (!d->drift) return ST_SAME;
    if (has_item(d, SN_DRIFT_TABLE_MISSING, m, NULL)) return ST_SCHEMA_ONLY;
    return notes(d, m, NULL, note, cap) ? ST_DIFF : ST_SAME;
}

/* a field's status against the live table; *note explains a difference */
static status field_status(const dctx *d, const sinew_model *m, const sinew_field *f, char *note, size_t cap)
{
    note[0] = '\0';
    if (!d->drift) return ST_SAME;
    if (has_item(d, SN_DRIFT_TABLE_MISSING, m, NULL) ||
        has_item(d, SN_DRIFT_COLUMN_MISSING, m, f->column))
        return ST_SCHEMA_ONLY;
    return notes(d, m, f->column, note, cap) ? ST_DIFF : ST_SAME;
}

/* the live table of a schema model, when the drift view draws columns only in the database */
static const sinew_model *live_table(const dctx *d, const sinew_model *m)
{
    return d->drift && d->o->live ? sn_schema_find_table_in(d->o->live, m->db_schema, m->table) : NULL;
}

/* a live column the drift engine found only in the database */
static int db_only_column(const dctx *d, const sinew_model *m, const sinew_field *lf)
{
    return has_item(d, SN_DRIFT_COLUMN_EXTRA, m, lf->column);
}

/* the i-th table found only in the database, or NULL after the last */
static const sinew_model *db_only_table(const dctx *d, size_t *i)
{
    for (; d->drift && *i < d->drift->n; (*i)++)
        if (d->drift->v[*i].kind == SN_DRIFT_TABLE_EXTRA) {
            const sn_drift_item *it = &d->drift->v[(*i)++];
            const sinew_model *l = sn_schema_find_table_in(d->o->live, it->schema, it->table);
            if (l) return l;
        }
    return NULL;
}

/* ---- shared helpers ---------------------------------------------------------------- */

static int is_unique_key(const sinew_model *m, const sinew_relation *r)
{
    if (r->nkeys == 1 && (m->fields[r->local[0]].flags & (SINEW_FIELD_UNIQUE))) return 1;
    if (r->nkeys == m->npk) {
        for (size_t i = 0; i < r->nkeys; i++)
            if (r->local[i] != m->pk[i]) return 0;
        return 1;
    }
    return 0;
}

static int field_is_fk(const sinew_model *m, size_t fi)
{
    if (m->fields[fi].flags & SINEW_FIELD_FK) return 1;
    for (size_t r = 0; r < m->nrelations; r++) {
        const sinew_relation *rel = &m->relations[r];
        if (rel->kind != SINEW_BELONGS_TO) continue;
        for (size_t k = 0; k < rel->nkeys; k++)
            if (rel->local[k] == fi) return 1;
    }
    return 0;
}

/* a join table: synthesised for a many-to-many, or named as `through` by one */
static int is_join(const sinew_schema *s, const sinew_model *m)
{
    if (m->flags & SINEW_MODEL_JOIN) return 1;
    for (size_t i = 0; i < s->nmodels; i++)
        for (size_t r = 0; r < s->models[i]->nrelations; r++)
            if (s->models[i]->relations[r].through == m) return 1;
    return 0;
}

static int folded(const dctx *d, const sinew_model *m)
{
    return d->o->fold_join_tables && is_join(d->s, m);
}

static const char *type_label(const sinew_field *f)
{
    return f->type == SINEW_ENUM && f->enum_type ? f->enum_type->name : sinew_type_name(f->type);
}

/* ---- Mermaid ------------------------------------------------------------------------- */

/* Append ", <text>" (no comma first) to an attribute's comment; a comment that is full stays cut. */
static void add_note(char *buf, size_t cap, size_t *used, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
static void add_note(char *buf, size_t cap, size_t *used, const char *fmt, ...)
{
    if (*used && *used < cap) *used += (size_t)snprintf(buf + *used, cap - *used, ", ");
    if (*used >= cap) return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf + *used, cap - *used, fmt, ap);
    va_end(ap);
    *used += n > 0 ? (size_t)n : 0;
}

/* an attribute's type and name; a name Mermaid cannot show as it is goes into the comment too */
static void mm_attr_names(FILE *f, const sinew_field *fd, char *comment, size_t cap, size_t *used)
{
    const char *type = type_label(fd);
    int type_changed = dg_mermaid_word(f, type);
    fputc(' ', f);
    int name_changed = dg_mermaid_word(f, fd->column);
    if (name_changed) add_note(comment, cap, used, "column %s", fd->column);
    if (type_changed) add_note(comment, cap, used, "type %s", type);
}

static void mermaid_entity(const dctx *d, const sinew_model *m, const sinew_model *dbonly)
{
    FILE *f = d->f;
    const sinew_model *em = m ? m : dbonly;
    fputs("    ", f);
    fputs(dg_id(&d->ids, em), f);
    fputs("[\"", f);
    if (m) {
        dg_mermaid_text(f, m->name);
        fputs(" (", f);
        if (m->db_schema) {   /* @@schema: the table's qualified name */
            dg_mermaid_text(f, m->db_schema);
            fputc('.', f);
        }
        dg_mermaid_text(f, m->table);
        fputs(")", f);
    } else {
        if (em->db_schema) {
            dg_mermaid_text(f, em->db_schema);
            fputc('.', f);
        }
        dg_mermaid_text(f, em->table);
    }
    char tnote[400];
    status ts = dbonly ? ST_DB_ONLY : table_status(d, m, tnote, sizeof tnote);
    if (ts == ST_SCHEMA_ONLY) fputs(" - only in schema", f);
    if (ts == ST_DB_ONLY) fputs(" - only in database", f);
    if (ts == ST_DIFF) {
        fputs(" - differs: ", f);
        dg_mermaid_text(f, tnote);
    }
    fputs("\"] {\n", f);
    for (size_t i = 0; i < em->nfields; i++) {
        const sinew_field *fd = &em->fields[i];
        char note[400];
        status st = dbonly ? ST_DB_ONLY : field_status(d, m, fd, note, sizeof note);
        fputs("        ", f);
        char comment[1200] = "";
        size_t used = 0;
        mm_attr_names(f, fd, comment, sizeof comment, &used);
        const char *keys[3];
        int nk = 0;
        if (fd->flags & SINEW_FIELD_PK) keys[nk++] = "PK";
        if (field_is_fk(em, i)) keys[nk++] = "FK";
        if (fd->flags & SINEW_FIELD_UNIQUE) keys[nk++] = "UK";
        for (int k = 0; k < nk; k++) fprintf(f, "%s%s", k ? ", " : " ", keys[k]);
        if (fd->flags & SINEW_FIELD_NULLABLE) add_note(comment, sizeof comment, &used, "nullable");
        if (fd->flags & SINEW_FIELD_AUTO) add_note(comment, sizeof comment, &used, "auto");
        if (st == ST_SCHEMA_ONLY) add_note(comment, sizeof comment, &used, "only in schema");
        if (st == ST_DB_ONLY) add_note(comment, sizeof comment, &used, "only in database");
        if (st == ST_DIFF) add_note(comment, sizeof comment, &used, "differs: %s", note);
        if (used) {
            fputs(" \"", f);
            dg_mermaid_text(f, comment);
            fputc('"', f);
        }
        fputc('\n', f);
    }
    /* columns only in the database */
    const sinew_model *l = !dbonly ? live_table(d, m) : NULL;
    for (size_t i = 0; l && i < l->nfields; i++) {
        if (!db_only_column(d, m, &l->fields[i])) continue;
        fputs("        ", f);
        char comment[1200] = "";
        size_t used = 0;
        mm_attr_names(f, &l->fields[i], comment, sizeof comment, &used);
        fputs(" \"", f);
        dg_mermaid_text(f, comment);
        fputs(used ? ", " : "", f);
        fputs((l->fields[i].flags & SINEW_FIELD_NULLABLE) ? "nullable, only in database\"\n" : "only in database\"\n", f);
    }
    fputs("    }\n", f);
}

/* an edge's label: the relation's name; a polymorphic target's says it is one of several */
static char *edge_label(const sinew_model *m, const sinew_relation *rel)
{
    sn_buf b;
    sn_buf_init(&b);
    if (!rel->poly) sn_buf_puts(&b, rel->name);
    else {
        sn_buf_printf(&b, "%s (one of ", rel->poly->name);
        for (size_t i = 0; i < rel->poly->ntargets; i++)
            sn_buf_printf(&b, "%s%s", i ? " | " : "", m->relations[rel->poly->targets[i]].target->name);
        sn_buf_putc(&b, ')');
    }
    if (b.failed) {
        sn_buf_free(&b);
        return NULL;
    }
    return b.data;   /* the caller frees it */
}

static void mermaid_edges(const dctx *d, const sinew_model *m)
{
    FILE *f = d->f;
    for (size_t r = 0; r < m->nrelations; r++) {
        const sinew_relation *rel = &m->relations[r];
        if (rel->kind == SINEW_BELONGS_TO) {
            if (folded(d, m)) continue;   /* drawn as the M-N edge */
            /* parent ||--o{ child : "relation" */
            fputs("    ", f);
            fputs(dg_id(&d->ids, rel->target), f);
            fputs(rel->optional ? " |o" : " ||", f);
            fputs(rel->poly ? ".." : "--", f);   /* dotted: one target of several */
            fputs(is_unique_key(m, rel) ? "o| " : "o{ ", f);
            fputs(dg_id(&d->ids, m), f);
            fputs(" : \"", f);
            char *label = edge_label(m, rel);
            dg_mermaid_text(f, label ? label : rel->name);
            sn_free(label);
            fputs("\"\n", f);
        } else if (rel->kind == SINEW_MANY_TO_MANY && d->o->fold_join_tables) {
            if (strcmp(m->table, rel->target->table) > 0) continue;   /* once per pair */
            fputs("    ", f);
            fputs(dg_id(&d->ids, m), f);
            fputs(" }o--o{ ", f);
            fputs(dg_id(&d->ids, rel->target), f);
            fputs(" : \"", f);
            dg_mermaid_text(f, rel->name);
            fputs("\"\n", f);
        }
    }
}

static int mermaid(const dctx *d)
{
    FILE *f = d->f;
    const sinew_schema *s = d->s;
    const char *title = d->o->title ? d->o->title : s->name;
    if (title) {
        fputs("---\ntitle: ", f);
        dg_mermaid_title(f, title);
        fputs("\n---\n", f);
    }
    fputs("erDiagram\n", f);
    if (d->drift)
        fputs("    %% drift view: comments mark columns only in schema, only in database, or different\n", f);
    for (size_t i = 0; i < s->nmodels; i++)
        if (!folded(d, s->models[i])) mermaid_entity(d, s->models[i], NULL);
    size_t k = 0;
    for (const sinew_model *l; (l = db_only_table(d, &k));) mermaid_entity(d, NULL, l);
    for (size_t i = 0; i < s->nmodels; i++) mermaid_edges(d, s->models[i]);
    return ferror(f) ? sinew_error_set(SINEW_IOERR, "writing the diagram failed") : SINEW_OK;
}

/* ---- Graphviz DOT ------------------------------------------------------------------------ */

static const char *bg(status st)
{
    switch (st) {
    case ST_SCHEMA_ONLY: return "#c8f0c8";
    case ST_DB_ONLY: return "#f6c6c6";
    case ST_DIFF: return "#ffe0a8";
    default: return NULL;
    }
}

static void dot_row(FILE *f, int port, const char *name, const char *type, const char *keys, int nullable,
                    status st, const char *note)
{
    const char *c = bg(st);
    char attr[64] = "";
    if (c) snprintf(attr, sizeof attr, " bgcolor=\"%s\"", c);
    fprintf(f, "      <tr><td port=\"f%d\" align=\"left\"%s>", port, attr);
    dg_dot_html(f, name);
    fprintf(f, "</td><td align=\"left\"%s><font color=\"#555555\">", attr);
    dg_dot_html(f, type);
    if (nullable) fputc('?', f);
    fprintf(f, "</font></td><td%s>%s</td></tr>\n", attr, keys);
    if (note && *note) {
        fprintf(f, "      <tr><td colspan=\"3\" align=\"left\"%s><font point-size=\"8\">", attr);
        dg_dot_html(f, note);
        fputs("</font></td></tr>\n", f);
    }
}

static void dot_entity(const dctx *d, const sinew_model *m, const sinew_model *dbonly)
{
    FILE *f = d->f;
    const sinew_model *em = m ? m : dbonly;
    char tnote[400];
    status ts = dbonly ? ST_DB_ONLY : table_status(d, m, tnote, sizeof tnote);
    fputs("  ", f);
    dg_dot_string(f, dg_id(&d->ids, em));
    fputs(" [label=<\n    <table border=\"0\" cellborder=\"1\" cellspacing=\"0\" cellpadding=\"3\">\n", f);
    fprintf(f, "      <tr><td colspan=\"3\" bgcolor=\"%s\"><b>", bg(ts) ? bg(ts) : "#d9e4f5");
    dg_dot_html(f, m ? m->name : em->table);
    fputs("</b><br/><font point-size=\"9\">", f);
    if (em->db_schema) {   /* @@schema: the table's qualified name */
        dg_dot_html(f, em->db_schema);
        fputc('.', f);
    }
    dg_dot_html(f, em->table);
    if (ts == ST_SCHEMA_ONLY) fputs(" (only in schema)", f);
    if (ts == ST_DB_ONLY) fputs(" (only in database)", f);
    if (ts == ST_DIFF) {
        fputs(" (differs: ", f);
        dg_dot_html(f, tnote);
        fputc(')', f);
    }
    fputs("</font></td></tr>\n", f);
    for (size_t i = 0; i < em->nfields; i++) {
        const sinew_field *fd = &em->fields[i];
        char keys[32] = "", note[400] = "";
        if (fd->flags & SINEW_FIELD_PK) strcat(keys, "PK ");
        if (field_is_fk(em, i)) strcat(keys, "FK ");
        if (fd->flags & SINEW_FIELD_UNIQUE) strcat(keys, "UK ");
        size_t kl = strlen(keys);
        if (kl) keys[kl - 1] = '\0';
        status st = dbonly ? ST_DB_ONLY : field_status(d, m, fd, note, sizeof note);
        char full[440] = "";
        if (st == ST_DIFF) snprintf(full, sizeof full, "differs: %s", note);
        if (st == ST_SCHEMA_ONLY && ts != ST_SCHEMA_ONLY) snprintf(full, sizeof full, "only in schema");
        dot_row(f, (int)i, fd->column, type_label(fd), keys, (fd->flags & SINEW_FIELD_NULLABLE) != 0, st, full);
    }
    const sinew_model *l = !dbonly ? live_table(d, m) : NULL;
    for (size_t i = 0; l && i < l->nfields; i++)
        if (db_only_column(d, m, &l->fields[i]))
            dot_row(f, 1000 + (int)i, l->fields[i].column, type_label(&l->fields[i]), "",
                    (l->fields[i].flags & SINEW_FIELD_NULLABLE) != 0, ST_DB_ONLY, "only in database");
    fputs("    </table>>];\n", f);
}

static void dot_edges(const dctx *d, const sinew_model *m)
{
    FILE *f = d->f;
    for (size_t r = 0; r < m->nrelations; r++) {
        const sinew_relation *rel = &m->relations[r];
        if (rel->kind == SINEW_BELONGS_TO && !folded(d, m)) {
            /* child:fk -> parent:key, crow's foot at the child, a bar at the parent */
            fputs("  ", f);
            dg_dot_string(f, dg_id(&d->ids, m));
            fprintf(f, ":f%u -> ", rel->local[0]);
            dg_dot_string(f, dg_id(&d->ids, rel->target));
            fprintf(f, ":f%u [arrowtail=%s, arrowhead=%s, %slabel=", rel->remote[0],
                    is_unique_key(m, rel) ? "teeodot" : "crowodot", rel->optional ? "teeodot" : "teetee",
                    rel->poly ? "style=dotted, " : "");
            char *label = edge_label(m, rel);
            dg_dot_string(f, label ? label : rel->name);
            sn_free(label);
            fputs("];\n", f);
        } else if (rel->kind == SINEW_MANY_TO_MANY && d->o->fold_join_tables) {
            if (strcmp(m->table, rel->target->table) > 0) continue;
            fputs("  ", f);
            dg_dot_string(f, dg_id(&d->ids, m));
            fputs(" -> ", f);
            dg_dot_string(f, dg_id(&d->ids, rel->target));
            fputs(" [arrowtail=crowodot, arrowhead=crowodot, style=dashed, label=", f);
            dg_dot_string(f, rel->name);
            fputs("];\n", f);
        }
    }
}

static int dot(const dctx *d)
{
    FILE *f = d->f;
    const sinew_schema *s = d->s;
    fputs("digraph ", f);
    dg_dot_string(f, d->o->title ? d->o->title : (s->name ? s->name : "schema"));
    fputs(" {\n  graph [rankdir=LR, fontname=\"Helvetica\", fontsize=12, nodesep=0.35, ranksep=0.9, pad=0.3];\n"
          "  node [shape=plaintext, fontname=\"Helvetica\", fontsize=10];\n"
          "  edge [fontname=\"Helvetica\", fontsize=9, dir=both, color=\"#4a5a70\", fontcolor=\"#4a5a70\"];\n", f);
    for (size_t i = 0; i < s->nmodels; i++)
        if (!folded(d, s->models[i])) dot_entity(d, s->models[i], NULL);
    size_t k = 0;
    for (const sinew_model *l; (l = db_only_table(d, &k));) dot_entity(d, NULL, l);
    for (size_t i = 0; i < s->nmodels; i++) dot_edges(d, s->models[i]);
    if (d->drift) {
        /* a name no table's id can have (ids are letters, digits and _) */
        fputs("  \"sinew-legend\" [label=<\n    <table border=\"0\" cellborder=\"1\" cellspacing=\"0\" cellpadding=\"3\">\n"
              "      <tr><td><b>drift</b></td></tr>\n"
              "      <tr><td bgcolor=\"#c8f0c8\">only in the schema</td></tr>\n"
              "      <tr><td bgcolor=\"#f6c6c6\">only in the database</td></tr>\n"
              "      <tr><td bgcolor=\"#ffe0a8\">different (type, nullability, default, key, index)</td></tr>\n"
              "    </table>>];\n", f);
    }
    fputs("}\n", f);
    return ferror(f) ? sinew_error_set(SINEW_IOERR, "writing the diagram failed") : SINEW_OK;
}

/* ---- SVG / PNG through Graphviz ---------------------------------------------------------- */

static int render(const dctx *d, const char *fmt)
{
    char dir[] = "/tmp/sinew-diagram-XXXXXX";
    if (!mkdtemp(dir)) return sinew_error_set(SINEW_IOERR, "cannot make a temporary directory for Graphviz");
    char in[64], out[64], errp[64], cmd[512];
    snprintf(in, sizeof in, "%s/in.dot", dir);
    snprintf(out, sizeof out, "%s/out.%s", dir, fmt);
    snprintf(errp, sizeof errp, "%s/err.txt", dir);
    int rc = SINEW_OK;
    FILE *df = fopen(in, "w");
    if (!df) rc = sinew_error_set(SINEW_IOERR, "cannot write %s", in);
    if (!rc) {
        dctx dd = *d;
        dd.f = df;
        rc = dot(&dd);
        fclose(df);
    }
    if (!rc) {
        snprintf(cmd, sizeof cmd, "dot -T%s -o '%s' '%s' 2>'%s'", fmt, out, in, errp);
        int st = system(cmd);
        if (st != 0) {
            FILE *ef = fopen(errp, "r");
            char msg[300] = "";
            if (ef) {
                size_t n = fread(msg, 1, sizeof msg - 1, ef);
                msg[n] = '\0';
                fclose(ef);
            }
            rc = sinew_error_set(SINEW_UNSUPPORTED, "Graphviz could not render %s%s%s (install it: apt-get install "
                                 "graphviz; or use -f dot / -f mermaid)", fmt, *msg ? ": " : "", msg);
        }
    }
    if (!rc) {
        FILE *of = fopen(out, "rb");
        if (!of) rc = sinew_error_set(SINEW_IOERR, "Graphviz wrote no %s", fmt);
        char buf[8192];
        size_t n;
        while (of && (n = fread(buf, 1, sizeof buf, of)) > 0)
            if (fwrite(buf, 1, n, d->f) != n) {
                rc = sinew_error_set(SINEW_IOERR, "writing the diagram failed");
                break;
            }
        if (of) fclose(of);
    }
    unlink(in);
    unlink(out);
    unlink(errp);
    rmdir(dir);
    return rc;
}

int sinew_diagram_ex(const sinew_schema *schema, const sinew_diagram_opts *opts, sinew_diagram_format fmt, FILE *out)
{
    if (!schema || !out) return sinew_error_set(SINEW_MISUSE, "sinew_diagram: schema and out must not be NULL");
    sinew_diagram_opts none;
    memset(&none, 0, sizeof none);
    if (fmt != SINEW_DIAGRAM_MERMAID && fmt != SINEW_DIAGRAM_DOT && fmt != SINEW_DIAGRAM_SVG && fmt != SINEW_DIAGRAM_PNG)
        return sinew_error_set(SINEW_MISUSE, "sinew_diagram: unknown format %d (use mermaid, dot, svg or png)", (int)fmt);
    dctx d = {schema, opts ? opts : &none, out, {0, NULL, NULL}, NULL};
    sn_drift_list drift;
    if (d.o->live) {
        /* the drift engine's differences, the same ones `migrate check` reports */
        int rc = sn_drift_compare(schema, d.o->live, d.o->live_dialect ? d.o->live_dialect : &sn_dialect_sqlite,
                                  &drift);
        if (rc) {
            sn_drift_free(&drift);
            return rc;
        }
        d.drift = &drift;
    }
    int rc = dg_ids_make(&d.ids, schema, d.o->live);
    if (!rc) {
        switch (fmt) {
        case SINEW_DIAGRAM_MERMAID: rc = mermaid(&d); break;
        case SINEW_DIAGRAM_DOT: rc = dot(&d); break;
        case SINEW_DIAGRAM_SVG: rc = render(&d, "svg"); break;
        case SINEW_DIAGRAM_PNG: rc = render(&d, "png"); break;
        }
        dg_ids_free(&d.ids);
    }
    if (d.drift) sn_drift_free(&drift);
    return rc;
}

int sinew_diagram(const sinew_schema *schema, sinew_diagram_format fmt, FILE *out)
{
    return sinew_diagram_ex(schema, NULL, fmt, out);
}
