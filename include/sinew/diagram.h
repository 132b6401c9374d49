/*
 * sinew/diagram.h - the schema as an ER diagram: class = table, attribute =
 * column, reference = foreign key. Mermaid `erDiagram` text (for READMEs),
 * Graphviz DOT, and SVG/PNG rendered by Graphviz's `dot` program. With a
 * live database's graph beside the schema, the drift view marks tables and
 * columns found only in the schema, only in the database, or different: the
 * same differences, by the same rules, as sinew_migrate_check() reports.
 *
 *   sinew_diagram(&blog_schema, SINEW_DIAGRAM_MERMAID, stdout);
 */
#ifndef SINEW_DIAGRAM_H
#define SINEW_DIAGRAM_H

#include "export.h"

#include <stdio.h>
#include "dialect.h"
#include "schema.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum sinew_diagram_format {
    SINEW_DIAGRAM_MERMAID = 1,
    SINEW_DIAGRAM_DOT,
    SINEW_DIAGRAM_SVG,         /* needs Graphviz's `dot` on PATH (Debian: graphviz) */
    SINEW_DIAGRAM_PNG
} sinew_diagram_format;

typedef struct sinew_diagram_opts {
    int fold_join_tables;      /* draw many-to-many as one M-N edge instead of the join table */
    const sinew_schema *live;  /* drift view: the live database's graph (sinew_introspect), or NULL */
    /* how the live database reports types and defaults: its connection's dialect
       (sinew_db_dialect); NULL means SQLite's */
    const sinew_dialect *live_dialect;
    const char *title;         /* diagram title, default the schema's name */
} sinew_diagram_opts;

SINEW_API int sinew_diagram(const sinew_schema *schema, sinew_diagram_format format, FILE *out);
SINEW_API int sinew_diagram_ex(const sinew_schema *schema, const sinew_diagram_opts *opts, sinew_diagram_format format,
                     FILE *out);
/* "mermaid", "dot", "svg", "png" -> format; 0 when unknown */
SINEW_API sinew_diagram_format sinew_diagram_format_parse(const char *name);

#ifdef __cplusplus
}
#endif
#endif
