/*
 * gen_from_db URL NAME OUTDIR - introspect a database and generate C for it
 * (used by the build to produce code for the Chinook sample database).
 */
#include <stdio.h>
#include <string.h>
#include "sinew/sinew.h"

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: gen_from_db URL NAME OUTDIR\n");
        return 1;
    }
    sinew_db *db;
    sinew_schema *schema;
    if (sinew_open(argv[1], &db) || sinew_introspect(db, &schema)) {
        fprintf(stderr, "gen_from_db: %s\n", sinew_errmsg());
        return 1;
    }
    schema->name = argv[2];
    char hp[4096], cp[4096], hn[256];
    snprintf(hn, sizeof hn, "%s.h", argv[2]);
    snprintf(hp, sizeof hp, "%s/%s.h", argv[3], argv[2]);
    snprintf(cp, sizeof cp, "%s/%s.c", argv[3], argv[2]);
    FILE *h = fopen(hp, "w"), *c = fopen(cp, "w");
    if (!h || !c) {
        perror("gen_from_db");
        return 1;
    }
    sinew_codegen_opts o = {hn, "the database"};
    int rc = sinew_codegen(schema, &o, h, c);
    fclose(h);
    fclose(c);
    if (rc) fprintf(stderr, "gen_from_db: %s\n", sinew_errmsg());
    sinew_schema_free(schema);
    sinew_close(db);
    return rc ? 1 : 0;
}
