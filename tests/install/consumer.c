/* consumer.c - a program built against an installed sinew (tests/install). */
#include <sinew/sinew.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    char url[512];
    snprintf(url, sizeof url, "sqlite:%s", argc > 1 ? argv[1] : ":memory:");
    sinew_db *db;
    if (sinew_open(url, &db) != SINEW_OK) {
        fprintf(stderr, "%s\n", sinew_errmsg());
        return 1;
    }
    int rc = sinew_exec(db, "CREATE TABLE t (id INTEGER PRIMARY KEY)");
    printf("installed sinew on %s: %s\n", sinew_db_backend(db), rc == SINEW_OK ? "ok" : sinew_errmsg());
    sinew_close(db);
    return rc == SINEW_OK ? 0 : 1;
}
