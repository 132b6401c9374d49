/*
 * gom_peer.c - W1, W3, W4, W5 through GOM (GNOME's GObject data mapper):
 * a GomResource subclass for the users table, saved, found and fetched
 * through a GomRepository on the SQLite file of the other peers. GOM has no
 * public transaction call; its way to write many resources in one
 * transaction is a GomResourceGroup's write, which W1 and W5 use. The
 * untimed setups run on a plain sqlite3 connection of their own.
 *
 *   gom_peer --db PATH [--rounds N] [--quick] [--only W1,W3]
 */
#include <gom/gom.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- the resource: one row of users ---- */

typedef struct {
    GomResource parent;
    gint64 id;
    gchar *name, *email;
    gint age;
} PeerUser;
typedef struct {
    GomResourceClass parent_class;
} PeerUserClass;

enum { PROP_0, PROP_ID, PROP_NAME, PROP_EMAIL, PROP_AGE, N_PROPS };
G_DEFINE_TYPE(PeerUser, peer_user, GOM_TYPE_RESOURCE)
#define PEER_TYPE_USER (peer_user_get_type())

static void peer_user_get_property(GObject *o, guint id, GValue *v, GParamSpec *ps)
{
    PeerUser *u = (PeerUser *)o;
    switch (id) {
    case PROP_ID: g_value_set_int64(v, u->id); break;
    case PROP_NAME: g_value_set_string(v, u->name); break;
    case PROP_EMAIL: g_value_set_string(v, u->email); break;
    case PROP_AGE: g_value_set_int(v, u->age); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID(o, id, ps);
    }
}

static void peer_user_set_property(GObject *o, guint id, const GValue *v, GParamSpec *ps)
{
    PeerUser *u = (PeerUser *)o;
    switch (id) {
    case PROP_ID: u->id = g_value_get_int64(v); break;
    case PROP_NAME: g_free(u->name), u->name = g_value_dup_string(v); break;
    case PROP_EMAIL: g_free(u->email), u->email = g_value_dup_string(v); break;
    case PROP_AGE: u->age = g_value_get_int(v); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID(o, id, ps);
    }
}

static void peer_user_finalize(GObject *o)
{
    PeerUser *u = (PeerUser *)o;
    g_free(u->name);
    g_free(u->email);
    G_OBJECT_CLASS(peer_user_parent_class)->finalize(o);
}

static void peer_user_class_init(PeerUserClass *k)
{
    GObjectClass *oc = G_OBJECT_CLASS(k);
    oc->get_property = peer_user_get_property;
    oc->set_property = peer_user_set_property;
    oc->finalize = peer_user_finalize;
    g_object_class_install_property(oc, PROP_ID, g_param_spec_int64("id", "id", "key", 0, G_MAXINT64, 0, G_PARAM_READWRITE));
    g_object_class_install_property(oc, PROP_NAME, g_param_spec_string("name", "name", "name", NULL, G_PARAM_READWRITE));
    g_object_class_install_property(oc, PROP_EMAIL, g_param_spec_string("email", "email", "email", NULL, G_PARAM_READWRITE));
    g_object_class_install_property(oc, PROP_AGE, g_param_spec_int("age", "age", "age", 0, G_MAXINT, 0, G_PARAM_READWRITE));
    GomResourceClass *rc = GOM_RESOURCE_CLASS(k);
    gom_resource_class_set_table(rc, "users");
    gom_resource_class_set_primary_key(rc, "id");
}

static void peer_user_init(PeerUser *u) { (void)u; }

/* ---- the harness ---- */

static int n_users = 100000, n_gets = 10000, n_updates = 10000;
static GomRepository *repo;
static sqlite3 *setup_db;
static GPtrArray *loaded;   /* W5's resources, loaded by its setup */

static void die(const char *what, GError *err)
{
    fprintf(stderr, "gom_peer: %s: %s\n", what, err ? err->message : "failed");
    exit(1);
}

static void exec_setup(const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(setup_db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fprintf(stderr, "gom_peer: setup: %s: %s\n", sql, msg);
        exit(1);
    }
}

static void fill(int n)
{
    char sql[400];
    snprintf(sql, sizeof sql,
             "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < %d) "
             "INSERT INTO users (id, name, email, age) SELECT x, 'user' || x, 'user' || x || '@example.com', x %% 90 FROM c", n);
    exec_setup(sql);
}

static GPtrArray *load_all(void)
{
    GError *err = NULL;
    GomResourceGroup *g = gom_repository_find_sync(repo, PEER_TYPE_USER, NULL, &err);
    if (!g) die("find", err);
    guint n = gom_resource_group_get_count(g);
    if (n && !gom_resource_group_fetch_sync(g, 0, n, &err)) die("fetch", err);
    GPtrArray *a = g_ptr_array_new_with_free_func(g_object_unref);
    for (guint i = 0; i < n; i++) g_ptr_array_add(a, g_object_ref(gom_resource_group_get_index(g, i)));
    g_object_unref(g);
    return a;
}

static void setup(const char *kind)
{
    exec_setup("BEGIN; DELETE FROM users; DELETE FROM sqlite_sequence;");
    if (!strcmp(kind, "users")) fill(n_users);
    if (!strcmp(kind, "w5")) fill(n_updates);
    exec_setup("COMMIT");
    if (!strcmp(kind, "w5")) {
        if (loaded) g_ptr_array_unref(loaded);
        loaded = load_all();
    }
}

static long long w1(void)
{
    GError *err = NULL;
    GomResourceGroup *g = gom_resource_group_new(repo);
    GPtrArray *made = g_ptr_array_new_with_free_func(g_object_unref);
    for (int i = 0; i < n_users; i++) {
        char name[32], email[48];
        snprintf(name, sizeof name, "user%d", i);
        snprintf(email, sizeof email, "user%d@example.com", i);
        PeerUser *u = g_object_new(PEER_TYPE_USER, "repository", repo, "name", name, "email", email, "age", i % 90, NULL);
        gom_resource_group_append(g, GOM_RESOURCE(u));
        g_ptr_array_add(made, u);
    }
    if (!gom_resource_group_write_sync(g, &err)) die("write", err);
    long long sum = 0;
    for (guint i = 0; i < made->len; i++) sum += ((PeerUser *)made->pdata[i])->id;
    g_ptr_array_unref(made);
    g_object_unref(g);
    return sum;
}

static long long w3(void)
{
    GPtrArray *a = load_all();
    long long sum = 0;
    for (guint i = 0; i < a->len; i++) {
        PeerUser *u = a->pdata[i];
        sum += u->age + (long long)strlen(u->email);
    }
    g_ptr_array_unref(a);
    return sum;
}

static long long w4(void)
{
    uint32_t x = 2463534242u;
    long long sum = 0;
    for (int i = 0; i < n_gets; i++) {
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;
        GValue v = G_VALUE_INIT;
        g_value_init(&v, G_TYPE_INT64);
        g_value_set_int64(&v, (gint64)(x % (uint32_t)n_users) + 1);
        GomFilter *f = gom_filter_new_eq(PEER_TYPE_USER, "id", &v);
        GError *err = NULL;
        PeerUser *u = (PeerUser *)gom_repository_find_one_sync(repo, PEER_TYPE_USER, f, &err);
        if (!u) die("find_one", err);
        sum += u->age + (long long)strlen(u->name);
        g_object_unref(u);
        g_object_unref(f);
        g_value_unset(&v);
    }
    return sum;
}

static long long w5(void)
{
    GError *err = NULL;
    GomResourceGroup *g = gom_resource_group_new(repo);
    long long sum = 0;
    for (guint i = 0; i < loaded->len; i++) {
        PeerUser *u = loaded->pdata[i];
        g_object_set(u, "age", (u->age + 1) % 100, NULL);
        gom_resource_group_append(g, GOM_RESOURCE(u));
        sum += u->age;
    }
    if (!gom_resource_group_write_sync(g, &err)) die("write", err);
    g_object_unref(g);
    return sum;
}

struct pragma_wait {
    GMutex m;
    GCond c;
    int done, ok;
};

static void set_pragmas(GomAdapter *adapter, gpointer data)
{
    struct pragma_wait *pw = data;
    int ok = gom_adapter_execute_sql(adapter, "PRAGMA synchronous = NORMAL", NULL) &&
             gom_adapter_execute_sql(adapter, "PRAGMA foreign_keys = ON", NULL);
    g_mutex_lock(&pw->m);
    pw->ok = ok;
    pw->done = 1;
    g_cond_signal(&pw->c);
    g_mutex_unlock(&pw->m);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
    const char *db = NULL, *only = NULL;
    int rounds = 3, quick = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--quick")) quick = 1;
        else if (!strcmp(argv[i], "--db") && i + 1 < argc) db = argv[++i];
        else if (!strcmp(argv[i], "--rounds") && i + 1 < argc) rounds = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--only") && i + 1 < argc) only = argv[++i];
        else {
            fprintf(stderr, "usage: gom_peer --db PATH [--rounds N] [--quick] [--only W1,W3]\n");
            return 2;
        }
    }
    if (!db) {
        fprintf(stderr, "gom_peer: --db PATH is required\n");
        return 2;
    }
    if (quick) rounds = 1, n_users = 300, n_gets = 200, n_updates = 200;
    if (sqlite3_open(db, &setup_db) != SQLITE_OK) {
        fprintf(stderr, "gom_peer: %s: %s\n", db, sqlite3_errmsg(setup_db));
        return 1;
    }
    exec_setup("PRAGMA journal_mode = WAL; CREATE TABLE IF NOT EXISTS \"users\" (\"id\" INTEGER PRIMARY KEY AUTOINCREMENT, "
               "\"name\" TEXT NOT NULL, \"email\" TEXT NOT NULL, \"age\" INTEGER NOT NULL)");
    GError *err = NULL;
    GomAdapter *adapter = gom_adapter_new();
    if (!gom_adapter_open_sync(adapter, db, &err)) die("open", err);
    /* the settings sinew's SQLite driver makes on a file, on GOM's own
     * connection, which only its thread may touch */
    struct pragma_wait pw = {0};
    g_mutex_init(&pw.m);
    g_cond_init(&pw.c);
    gom_adapter_queue_write(adapter, set_pragmas, &pw);
    g_mutex_lock(&pw.m);
    while (!pw.done) g_cond_wait(&pw.c, &pw.m);
    g_mutex_unlock(&pw.m);
    if (!pw.ok) die("pragmas", NULL);
    repo = gom_repository_new(adapter);
    printf("VERSION GOM %s %s\n", GOM_VERSION_S, sqlite3_libversion());
    fflush(stdout);
    static const struct {
        const char *id, *setup;
        long long (*fn)(void);
    } ws[] = {{"W1", "empty", w1}, {"W3", "users", w3}, {"W4", "users", w4}, {"W5", "w5", w5}};
    for (size_t w = 0; w < sizeof ws / sizeof ws[0]; w++) {
        if (only && !strstr(only, ws[w].id)) continue;
        if (!quick) {
            /* one untimed run at a tenth of the size first, as the other peers do */
            int nu = n_users, ng = n_gets, nd = n_updates;
            n_users /= 10, n_gets /= 10, n_updates /= 10;
            setup(ws[w].setup);
            ws[w].fn();
            n_users = nu, n_gets = ng, n_updates = nd;
        }
        for (int r = 0; r < rounds; r++) {
            setup(ws[w].setup);
            double t0 = now_ms();
            long long sum = ws[w].fn();
            printf("RESULT GOM %s %d %.2f %lld\n", ws[w].id, r, now_ms() - t0, sum);
            fflush(stdout);
        }
    }
    if (loaded) g_ptr_array_unref(loaded);
    g_object_unref(repo);
    gom_adapter_close_sync(adapter, NULL);
    g_object_unref(adapter);
    sqlite3_close(setup_db);
    return 0;
}
