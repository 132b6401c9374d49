/*
 * diagram.c - ER diagrams from the schema graph (tools layer).
 *
 * Both renderers walk the same model: every model is an entity titled with
 * its name and table, every field a row with type, PK/FK/UK marks and
 * nullability; every BELONGS_TO is a crow's-foot edge from the referencing
 * table to the referenced one (optional keys drawn as zero-or-one), a
 * unique key makes it one-to-one, and many-to-many is drawn through its
 * join table or folded into one M-N edge. In the drift view each row and
 * table also carries its status against the live database.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "base.h"
#include "schema/introspect.h"
#include "sql/dialect.h"
#include "sinew/diagram.h"

typedef enum { ST_SAME = 0, ST_SCHEMA_ONLY, ST_DB_ONLY, ST_DIFF } status;

typedef struct dctx {
    const sinew_schema *s;
    const sinew_diagram_opts *o;
    FILE *f;
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

static const sinew_model *live_table(const dctx *d, const sinew_model *m)
{
    return d->o->live ? sinew_schema_find_table(d->o->live, m->table) : NULL;
}

static status table_status(const dctx *d, const sinew_model *m)
{
    if (!d->o->live) return ST_SAME;
    return live_table(d, m) ? ST_SAME : ST_SCHEMA_ONLY;
}

/* a field's status against the live table; *note explains a difference */
static status field_status(const dctx *d, const sinew_model *m, const sinew_field *f, char *note, size_t cap)
{
    note[0] = '\0';
    if (!d->o->live) return ST_SAME;
    const sinew_model *l = live_table(d, m);
    if (!l) return ST_SCHEMA_ONLY;
    int li = sinew_model_column_index(l, f->column);
    if (li < 0) return ST_SCHEMA_ONLY;
    const sinew_field *lf = &l->fields[li];
    int pg = d->o->live_is_postgres;
    const sinew_dialect *dl = pg ? &sn_dialect_postgres : &sn_dialect_sqlite;
    int auto_pk = sinew_model_auto_pk(m) >= 0 && &m->fields[sinew_model_auto_pk(m)] == f;
    sinew_type want = auto_pk ? (f->type == SINEW_INT32 && pg ? SINEW_INT32 : SINEW_INT64)
                              : sn_type_from_sql(dl->column_type(f), pg);
    size_t used = 0;
    /* the same type if the database reports what sinew would create, or the same kind of value
       (a DATETIME column for a timestamp field, NUMERIC for decimal) */
    if (want != lf->type && f->type != lf->type)
        used += (size_t)snprintf(note + used, cap - used, "type %s in the database", lf->db_type ? lf->db_type : "?");
    if ((f->flags ^ lf->flags) & SINEW_FIELD_NULLABLE && used < cap)
        used += (size_t)snprintf(note + used, cap - used, "%s%s in the database", used ? ", " : "",
                                 (lf->flags & SINEW_FIELD_NULLABLE) ? "nullable" : "NOT NULL");
    if (((f->flags ^ lf->flags) & SINEW_FIELD_PK) && used < cap)
        used += (size_t)snprintf(note + used, cap - used, "%s%s the key in the database", used ? ", " : "",
                                 (lf->flags & SINEW_FIELD_PK) ? "part of" : "not part of");
    /* a unique key (@unique; introspection reads a one-column unique index or constraint as one);
       a key column is unique anyway */
    if (!(f->flags & SINEW_FIELD_PK) && ((f->flags ^ lf->flags) & SINEW_FIELD_UNIQUE) && used < cap)
        used += (size_t)snprintf(note + used, cap - used, "%s%s in the database", used ? ", " : "",
                                 (lf->flags & SINEW_FIELD_UNIQUE) ? "unique" : "not unique");
    return used ? ST_DIFF : ST_SAME;
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

/* Mermaid entity ids: letters, digits, _ and - only */
static void mm_id(FILE *f, const char *s)
{
    for (; *s; s++) fputc((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '-' ? *s : '_', f);
}

static void mm_text(FILE *f, const char *s)
{
    for (; *s; s++) fputc(*s == '"' ? '\'' : *s, f);
}

static void mermaid_entity(const dctx *d, const sinew_model *m, const sinew_model *dbonly)
{
    FILE *f = d->f;
    const sinew_model *em = m ? m : dbonly;
    fputs("    ", f);
    mm_id(f, em->table);
    fputs("[\"", f);
    if (m) {
        mm_text(f, m->name);
        fputs(" (", f);
        mm_text(f, m->table);
        fputs(")", f);
    } else {
        mm_text(f, em->table);
    }
    status ts = dbonly ? ST_DB_ONLY : table_status(d, m);
    if (ts == ST_SCHEMA_ONLY) fputs(" - only in schema", f);
    if (ts == ST_DB_ONLY) fputs(" - only in database", f);
    fputs("\"] {\n", f);
    for (size_t i = 0; i < em->nfields; i++) {
        const sinew_field *fd = &em->fields[i];
        char note[200];
        status st = dbonly ? ST_DB_ONLY : field_status(d, m, fd, note, sizeof note);
        fputs("        ", f);
        mm_id(f, type_label(fd));
        fputc(' ', f);
        mm_id(f, fd->column);
        const char *keys[3];
        int nk = 0;
        if (fd->flags & SINEW_FIELD_PK) keys[nk++] = "PK";
        if (field_is_fk(em, i)) keys[nk++] = "FK";
        if (fd->flags & SINEW_FIELD_UNIQUE) keys[nk++] = "UK";
        for (int k = 0; k < nk; k++) fprintf(f, "%s%s", k ? ", " : " ", keys[k]);
        char comment[300] = "";
        size_t used = 0;
        if (fd->flags & SINEW_FIELD_NULLABLE) used += (size_t)snprintf(comment, sizeof comment, "nullable");
        if (fd->flags & SINEW_FIELD_AUTO) used += (size_t)snprintf(comment + used, sizeof comment - used, "%sauto", used ? ", " : "");
        if (st == ST_SCHEMA_ONLY) used += (size_t)snprintf(comment + used, sizeof comment - used, "%sonly in schema", used ? ", " : "");
        if (st == ST_DB_ONLY) used += (size_t)snprintf(comment + used, sizeof comment - used, "%sonly in database", used ? ", " : "");
        if (st == ST_DIFF) used += (size_t)snprintf(comment + used, sizeof comment - used, "%sdiffers: %s", used ? ", " : "", note);
        if (used) {
            fputs(" \"", f);
            mm_text(f, comment);
            fputc('"', f);
        }
        fputc('\n', f);
    }
    /* columns only in the database */
    const sinew_model *l = (!dbonly && d->o->live) ? live_table(d, m) : NULL;
    for (size_t i = 0; l && i < l->nfields; i++) {
        if (sinew_model_column_index(m, l->fields[i].column) >= 0) continue;
        fputs("        ", f);
        mm_id(f, type_label(&l->fields[i]));
        fputc(' ', f);
        mm_id(f, l->fields[i].column);
        fputs((l->fields[i].flags & SINEW_FIELD_NULLABLE) ? " \"nullable, only in database\"\n"
                                                           : " \"only in database\"\n", f);
    }
    fputs("    }\n", f);
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
            mm_id(f, rel->target->table);
            fputs(rel->optional ? " |o--" : " ||--", f);
            fputs(is_unique_key(m, rel) ? "o| " : "o{ ", f);
            mm_id(f, m->table);
            fputs(" : \"", f);
            mm_text(f, rel->name);
            fputs("\"\n", f);
        } else if (rel->kind == SINEW_MANY_TO_MANY && d->o->fold_join_tables) {
            if (strcmp(m->table, rel->target->table) > 0) continue;   /* once per pair */
            fputs("    ", f);
            mm_id(f, m->table);
            fputs(" }o--o{ ", f);
            mm_id(f, rel->target->table);
            fputs(" : \"", f);
            mm_text(f, rel->name);
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
        mm_text(f, title);
        fputs("\n---\n", f);
    }
    fputs("erDiagram\n", f);
    if (d->o->live)
        fputs("    %% drift view: comments mark columns only in schema, only in database, or different\n", f);
    for (size_t i = 0; i < s->nmodels; i++)
        if (!folded(d, s->models[i])) mermaid_entity(d, s->models[i], NULL);
    for (size_t i = 0; d->o->live && i < d->o->live->nmodels; i++)
        if (!sinew_schema_find_table(s, d->o->live->models[i]->table)) mermaid_entity(d, NULL, d->o->live->models[i]);
    for (size_t i = 0; i < s->nmodels; i++) mermaid_edges(d, s->models[i]);
    return ferror(f) ? sinew_error_set(SINEW_IOERR, "writing the diagram failed") : SINEW_OK;
}

/* ---- Graphviz DOT ------------------------------------------------------------------------ */

static void html(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '&') fputs("&amp;", f);
        else if (*s == '<') fputs("&lt;", f);
        else if (*s == '>') fputs("&gt;", f);
        else if (*s == '"') fputs("&quot;", f);
        else fputc(*s, f);
    }
}

static void dq(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\') fputc('\\', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

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
    html(f, name);
    fprintf(f, "</td><td align=\"left\"%s><font color=\"#555555\">", attr);
    html(f, type);
    if (nullable) fputc('?', f);
    fprintf(f, "</font></td><td%s>%s</td></tr>\n", attr, keys);
    if (note && *note) {
        fprintf(f, "      <tr><td colspan=\"3\" align=\"left\"%s><font point-size=\"8\">", attr);
        html(f, note);
        fputs("</font></td></tr>\n", f);
    }
}

static void dot_entity(const dctx *d, const sinew_model *m, const sinew_model *dbonly)
{
    FILE *f = d->f;
    const sinew_model *em = m ? m : dbonly;
    status ts = dbonly ? ST_DB_ONLY : table_status(d, m);
    fputs("  ", f);
    dq(f, em->table);
    fputs(" [label=<\n    <table border=\"0\" cellborder=\"1\" cellspacing=\"0\" cellpadding=\"3\">\n", f);
    fprintf(f, "      <tr><td colspan=\"3\" bgcolor=\"%s\"><b>", bg(ts) ? bg(ts) : "#d9e4f5");
    html(f, m ? m->name : em->table);
    fputs("</b><br/><font point-size=\"9\">", f);
    html(f, em->table);
    if (ts == ST_SCHEMA_ONLY) fputs(" (only in schema)", f);
    if (ts == ST_DB_ONLY) fputs(" (only in database)", f);
    fputs("</font></td></tr>\n", f);
    for (size_t i = 0; i < em->nfields; i++) {
        const sinew_field *fd = &em->fields[i];
        char keys[32] = "", note[200] = "";
        if (fd->flags & SINEW_FIELD_PK) strcat(keys, "PK ");
        if (field_is_fk(em, i)) strcat(keys, "FK ");
        if (fd->flags & SINEW_FIELD_UNIQUE) strcat(keys, "UK ");
        size_t kl = strlen(keys);
        if (kl) keys[kl - 1] = '\0';
        status st = dbonly ? ST_DB_ONLY : field_status(d, m, fd, note, sizeof note);
        char full[240] = "";
        if (st == ST_DIFF) snprintf(full, sizeof full, "differs: %s", note);
        if (st == ST_SCHEMA_ONLY && ts != ST_SCHEMA_ONLY) snprintf(full, sizeof full, "only in schema");
        dot_row(f, (int)i, fd->column, type_label(fd), keys, (fd->flags & SINEW_FIELD_NULLABLE) != 0, st, full);
    }
    const sinew_model *l = (!dbonly && d->o->live) ? live_table(d, m) : NULL;
    for (size_t i = 0; l && i < l->nfields; i++)
        if (sinew_model_column_index(m, l->fields[i].column) < 0)
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
            dq(f, m->table);
            fprintf(f, ":f%u -> ", rel->local[0]);
            dq(f, rel->target->table);
            fprintf(f, ":f%u [arrowtail=%s, arrowhead=%s, label=", rel->remote[0],
                    is_unique_key(m, rel) ? "teeodot" : "crowodot", rel->optional ? "teeodot" : "teetee");
            dq(f, rel->name);
            fputs("];\n", f);
        } else if (rel->kind == SINEW_MANY_TO_MANY && d->o->fold_join_tables) {
            if (strcmp(m->table, rel->target->table) > 0) continue;
            fputs("  ", f);
            dq(f, m->table);
            fputs(" -> ", f);
            dq(f, rel->target->table);
            fputs(" [arrowtail=crowodot, arrowhead=crowodot, style=dashed, label=", f);
            dq(f, rel->name);
            fputs("];\n", f);
        }
    }
}

static int dot(const dctx *d)
{
    FILE *f = d->f;
    const sinew_schema *s = d->s;
    fputs("digraph ", f);
    dq(f, d->o->title ? d->o->title : (s->name ? s->name : "schema"));
    fputs(" {\n  graph [rankdir=LR, fontname=\"Helvetica\", fontsize=12, nodesep=0.35, ranksep=0.9, pad=0.3];\n"
          "  node [shape=plaintext, fontname=\"Helvetica\", fontsize=10];\n"
          "  edge [fontname=\"Helvetica\", fontsize=9, dir=both, color=\"#4a5a70\", fontcolor=\"#4a5a70\"];\n", f);
    for (size_t i = 0; i < s->nmodels; i++)
        if (!folded(d, s->models[i])) dot_entity(d, s->models[i], NULL);
    for (size_t i = 0; d->o->live && i < d->o->live->nmodels; i++)
        if (!sinew_schema_find_table(s, d->o->live->models[i]->table)) dot_entity(d, NULL, d->o->live->models[i]);
    for (size_t i = 0; i < s->nmodels; i++) dot_edges(d, s->models[i]);
    if (d->o->live) {
        fputs("  legend [label=<\n    <table border=\"0\" cellborder=\"1\" cellspacing=\"0\" cellpadding=\"3\">\n"
              "      <tr><td><b>drift</b></td></tr>\n"
              "      <tr><td bgcolor=\"#c8f0c8\">only in the schema</td></tr>\n"
              "      <tr><td bgcolor=\"#f6c6c6\">only in the database</td></tr>\n"
              "      <tr><td bgcolor=\"#ffe0a8\">different (type, nullability, key)</td></tr>\n"
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
    dctx d = {schema, opts ? opts : &none, out};
    switch (fmt) {
    case SINEW_DIAGRAM_MERMAID: return mermaid(&d);
    case SINEW_DIAGRAM_DOT: return dot(&d);
    case SINEW_DIAGRAM_SVG: return render(&d, "svg");
    case SINEW_DIAGRAM_PNG: return render(&d, "png");
    }
    return sinew_error_set(SINEW_MISUSE, "sinew_diagram: unknown format %d (use mermaid, dot, svg or png)", (int)fmt);
}

int sinew_diagram(const sinew_schema *schema, sinew_diagram_format fmt, FILE *out)
{
    return sinew_diagram_ex(schema, NULL, fmt, out);
}
