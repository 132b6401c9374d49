/*
 * diagram_text.h - what diagram.c writes of a name, made safe for the place it goes
 * (tools layer, private to src/diagram).
 *
 * Table, column and relation names come from schema files and from live databases
 * (`diagram --db`), so they may hold anything: dots, quotes, newlines, `%%`, braces,
 * invalid UTF-8. Two kinds of output need them:
 *
 *   - ids (Mermaid entity names, DOT node names): never shown, only matched. Every
 *     entity gets one that is unique in the diagram: the table name when it is already a
 *     plain identifier, else the name with every other character made `_` and, when that
 *     is taken, `_2`, `_3`... (assigned in drawing order, so the output is stable);
 *   - text (labels, attribute names, comments, titles): shown, escaped for its place so
 *     that it is read back as exactly one token; control characters and bytes that are
 *     not UTF-8 are shown as `\n`, `\t`, `\xNN`.
 */
#ifndef SINEW_DIAGRAM_TEXT_H
#define SINEW_DIAGRAM_TEXT_H

#include <stddef.h>
#include <stdio.h>
#include "sinew/schema.h"

typedef struct dg_ids {
    size_t n;
    const sinew_model **models;   /* every entity, in drawing order */
    char **ids;                   /* ids[i] belongs to models[i] */
} dg_ids;

/* Ids for the schema's models and then the live-only tables (live may be NULL). SINEW_OK or SINEW_NOMEM. */
int dg_ids_make(dg_ids *out, const sinew_schema *s, const sinew_schema *live);
void dg_ids_free(dg_ids *ids);
/* The id of a model given to dg_ids_make (never NULL: an unknown model gets "unknown"). */
const char *dg_id(const dg_ids *ids, const sinew_model *m);

/* Mermaid: text inside a "..." string (entity label, comment, relationship label). */
void dg_mermaid_text(FILE *f, const char *s);
/* Mermaid: an attribute's type or name (an unquoted word); returns 1 when it had to be changed. */
int dg_mermaid_word(FILE *f, const char *s);
/* Mermaid: the front matter's title, as a YAML single-quoted scalar (quotes included). */
void dg_mermaid_title(FILE *f, const char *s);
/* DOT: text in an HTML-like label. */
void dg_dot_html(FILE *f, const char *s);
/* DOT: a "..." string (node names, edge labels, the graph's name); quotes included. */
void dg_dot_string(FILE *f, const char *s);

#endif
