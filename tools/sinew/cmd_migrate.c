/*
 * cmd_migrate.c - `sinew migrate make|up|down|status|check|renumber`, thin
 * wrappers over include/sinew/migrate.h (and migrate/files.h for renumber).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "commands.h"
#include "migrate/files.h"
#include "sinew/migrate.h"
#include "sinew/sinew.h"

extern const sinew_command sinew_cmd_migrate;

static int fail(const char *what)
{
    fprintf(stderr, "sinew migrate %s: error: %s\n", what, sinew_errmsg());
    int st = sinew_last_error()->status;
    return st == SINEW_INTERNAL || st == SINEW_NOMEM ? EXIT_INTERNAL : EXIT_USER;
}

static void progress(void *ctx, const char *name, int up, double seconds)
{
    size_t *n = ctx;
    (*n)++;
    printf("%s %s (%.3f s)\n", up ? "applied" : "rolled back", name, seconds);
    fflush(stdout);
}

/* --to N must name a migration of dir (0 means all): refused before the database is touched. */
static int check_target(const char *dir, int to)
{
    if (to == 0) return SINEW_OK;
    sn_migset s;
    int rc = sn_mig_scan(dir, &s);
    if (rc) return rc;
    int found = 0;
    for (size_t i = 0; i < s.n; i++) found |= s.v[i].number == to;
    if (!found) {
        if (s.n)
            rc = sinew_error_set(SINEW_NOTFOUND, "--to %d: %s has no migration numbered %d (its numbers run from "
                                 "%d to %d; 0 means all)", to, dir, to, s.v[0].number, s.v[s.n - 1].number);
        else
            rc = sinew_error_set(SINEW_NOTFOUND, "--to %d: %s holds no migrations", to, dir);
    }
    sn_migset_free(&s);
    return rc;
}

static void baseline_line(void *ctx, const char *name, int up, double seconds)
{
    (void)up;
    (void)seconds;
    (*(size_t *)ctx)++;
    printf("recorded %s as applied (not run)\n", name);
}

static int run(int argc, char **argv)
{
    if (argc < 2) return sinew_tool_usage_error(&sinew_cmd_migrate, "missing subcommand");
    const char *sub = argv[1], *dir = "migrations", *url = NULL, *schema = NULL, *name = NULL;
    int to = 0, to_set = 0;
    sinew_make_opts o = {0, 0};
    static const char *const subs[] = {"make", "up", "down", "status", "check", "renumber", "baseline"};
    int known = 0;
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++) known |= !strcmp(sub, subs[i]);
    if (!known) return sinew_tool_usage_error(&sinew_cmd_migrate, "unknown subcommand '%s'", sub);
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--dir") && v) { dir = v; i++; }
        else if (!strcmp(a, "--db") && v) { url = v; i++; }
        else if (!strcmp(a, "--schema") && v) { schema = v; i++; }
        else if (!strcmp(a, "--to") && v) {
            if (strcmp(sub, "up") && strcmp(sub, "down") && strcmp(sub, "baseline"))
                return sinew_tool_usage_error(&sinew_cmd_migrate, "--to applies to up, down and baseline only");
            if (sinew_tool_parse_number(v, 0, 99999999, &to))
                return sinew_tool_usage_error(&sinew_cmd_migrate, "--to '%s' is not a migration number (digits "
                                              "only; --to 0 means all)", v);
            to_set = 1;
            i++;
        }
        else if (!strcmp(a, "--allow-destructive")) o.allow_destructive = 1;
        else if (!strcmp(a, "--dialect") && v) {
            i++;
            o.dialects = sinew_dialect_mask(v);
            if (!o.dialects) return sinew_tool_usage_error(&sinew_cmd_migrate, "--dialect must be sqlite, postgres or all");
        } else if (a[0] != '-' && !name && !strcmp(sub, "make")) name = a;
        else if (!strcmp(a, "--dir") || !strcmp(a, "--db") || !strcmp(a, "--schema") || !strcmp(a, "--to") ||
                 !strcmp(a, "--dialect"))
            return sinew_tool_usage_error(&sinew_cmd_migrate, "%s needs a value", a);
        else return sinew_tool_usage_error(&sinew_cmd_migrate, "unexpected argument '%s'", a);
    }
    if (!strcmp(sub, "make")) {
        if (!name || !schema) return sinew_tool_usage_error(&sinew_cmd_migrate, "make needs NAME and --schema FILE");
        char *created;
        if (sinew_migrate_make(dir, schema, name, &o, &created)) return fail("make");
        if (created) printf("created %s\n", created);
        else printf("no changes: %s matches the latest migration\n", schema);
        sinew_migrate_free(created);
        return EXIT_OK;
    }
    if (!strcmp(sub, "renumber")) {
        size_t moved;
        if (sn_mig_require_dir(dir) || sn_mig_renumber(dir, &moved)) return fail("renumber");
        printf("moved %zu migration%s to the end; check that their SQL still fits\n", moved, moved == 1 ? "" : "s");
        return EXIT_OK;
    }
    if (!url) return sinew_tool_usage_error(&sinew_cmd_migrate, "%s needs --db URL", sub);
    /* the folder and --to first: a mistake there touches no database */
    if (sn_mig_require_dir(dir) || check_target(dir, to)) return fail(sub);
    sinew_db *db;
    /* only up may create the database; the others read it (or have nothing to roll back) */
    if (sinew_tool_open(&db, url, !strcmp(sub, "up"))) return fail(sub);
    int rc = EXIT_OK;
    if (!strcmp(sub, "up")) {
        size_t n = 0;
        if (sinew_migrate_up_report(db, dir, to, progress, &n)) rc = fail("up");
        else if (!n) printf("nothing to apply: every migration in %s is applied\n", dir);
    } else if (!strcmp(sub, "down")) {
        size_t n = 0;
        if (sinew_migrate_down_report(db, dir, to_set ? to : -1, progress, &n)) rc = fail("down");
        else if (!n) printf("nothing to roll back%s\n", to_set ? " above that number" : ": no migration is applied");
    } else if (!strcmp(sub, "baseline")) {
        char *report = NULL;
        size_t n = 0, nrec = 0;
        if (sinew_migrate_baseline(db, dir, to, baseline_line, &nrec, &report, &n)) {
            rc = fail("baseline");
            if (n && report) fprintf(stderr, "%s", report);
        } else {
            printf("the database matches the schema: %zu migration%s recorded as applied, none run\n", nrec,
                   nrec == 1 ? "" : "s");
        }
        sinew_migrate_free(report);
    } else if (!strcmp(sub, "status")) {
        sinew_migration_status *st;
        size_t n;
        if (sinew_migrate_status(db, dir, &st, &n)) rc = fail("status");
        else {
            for (size_t i = 0; i < n; i++)
                printf("%-40s %s%s%s\n", st[i].name, st[i].applied ? "applied " : "pending",
                       st[i].applied_at ? st[i].applied_at : "",
                       st[i].missing ? " (folder missing)" : st[i].modified ? " (file changed since!)" : "");
            if (!n) printf("no migrations in %s\n", dir);
            size_t applied = 0;
            for (size_t i = 0; i < n; i++) applied += st[i].applied ? 1 : 0;
            if (n && !applied) printf("no migrations recorded in the database\n");
            sinew_migrate_status_free(st, n);
        }
    } else {
        char *report;
        size_t n;
        sinew_migration_status *st = NULL;
        size_t ns = 0, applied = 0;
        if (sinew_migrate_status(db, dir, &st, &ns) == SINEW_OK)
            for (size_t i = 0; i < ns; i++) applied += st[i].applied ? 1 : 0;
        sinew_migrate_status_free(st, ns);
        if (sinew_migrate_check(db, dir, &report, &n)) rc = fail("check");
        else {
            if (!applied) printf("no migrations recorded: the database is compared with an empty schema\n");
            if (n) printf("%zu difference%s between the database and the migrations:\n%s", n,
                          n == 1 ? "" : "s", report);
            else printf("no drift\n");
            rc = n ? EXIT_USER : EXIT_OK;
            sinew_migrate_free(report);
        }
    }
    sinew_close(db);
    return rc;
}

const sinew_command sinew_cmd_migrate = {
    "migrate",
    "make, apply, roll back and check schema migrations",
    "usage: sinew migrate <subcommand> [options]\n\n"
    "  make NAME --schema FILE [--dir migrations] [--dialect sqlite|postgres|all] [--allow-destructive]\n"
    "  up --db URL [--to N] [--dir D]      apply pending migrations (up to number N); creates an SQLite file\n"
    "  down --db URL [--to N] [--dir D]    roll back the newest one (or all above N; --to 0: all)\n"
    "  status --db URL [--dir D]           list migrations and whether they are applied\n"
    "  check --db URL [--dir D]            compare the database with the migrations (exit 1 on drift)\n"
    "  baseline --db URL [--to N] [--dir D] adopt an existing database: record the first migration (or all\n"
    "                                      up to N) as applied without running it; refused on drift\n"
    "  renumber [--dir D]                  move migrations made on another branch after the others\n\n"
    "up and down print each migration they apply or roll back. The migrations folder must exist\n"
    "(make creates it); every command but up needs an existing database. N is a migration number.\n"
    "See docs/migrations.md.\n",
    run,
};
