/*
 * diagram_tool URL FORMAT [fold] - introspect a database and draw it (a
 * development aid for the diagram tests; users have `sinew diagram`).
 */
#include <stdio.h>
#include <string.h>
#include "sinew/sinew.h"

int main(int argc, char **argv)
{
    if (argc < 3) return 2;
    sinew_db *db;
    sinew_schema *s;
    if (sinew_open(argv[1], &db) || sinew_introspect(db, &s)) {
        fprintf(stderr, "%s\n", sinew_errmsg());
        return 1;
    }
    s->name = "chinook";
    sinew_diagram_opts o = {argc > 3 && !strcmp(argv[3], "fold"), NULL, 0, NULL};
    int rc = sinew_diagram_ex(s, &o, sinew_diagram_format_parse(argv[2]), stdout);
    if (rc) fprintf(stderr, "%s\n", sinew_errmsg());
    sinew_schema_free(s);
    sinew_close(db);
    return rc ? 1 : 0;
}
