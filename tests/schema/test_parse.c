/*
 * The schema language, positively: blog.sinew becomes the expected graph
 * (implicit keys, relation kinds and inverses, the join model, indexes,
 * enum, defaults, docs); parse -> print -> parse is the identity and
 * printing is idempotent for every test schema; running out of memory at
 * any allocation of a parse gives SINEW_NOMEM and leaks nothing.
 */
#include "harness.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCHEMAS SINEW_SOURCE_DIR "/tests/schemas/"

static sinew_schema *parse_file(const char *path)
{
    sinew_diagnostics *d;
    th_ok(sinew_diagnostics_new(&d));
    sinew_schema *s = NULL;
    int rc = sinew_schema_parse_file(path, d, &s);
    if (rc) sinew_diagnostics_print(d, stderr);
    sinew_diagnostics_free(d);
    th_ok(rc);
    return s;
}

static sinew_schema *parse_text(const char *text)
{
    sinew_schema *s = NULL;
    th_ok(sinew_schema_parse("snippet.sinew", text, strlen(text), NULL, &s));
    return s;
}

static const sinew_relation *rel(const sinew_model *m, const char *name)
{
    const sinew_relation *r = sinew_model_find_relation(m, name);
    if (!r) fail_msg("%s has no relation %s", m->name, name);
    return r;
}

/* Index names and declared types (what `db pull` reads from a database): kept by the graph, printed
 * back only where they differ from sinew's own, and read again the same. */
static void index_names_and_declared_types(void **state)
{
    (void)state;
    const char *src = "model Actor {\n"
                      "  id         int64     @id\n"
                      "  last_name  text\n"
                      "  first_name text\n"
                      "  fee        decimal   @db_type(\"DECIMAL(5,2)\")\n"
                      "  seen       timestamp\n\n"
                      "  @@index([last_name], name: \"idx_actor_last_name\")\n"
                      "  @@unique([last_name, first_name], name: \"actor_full_name\")\n"
                      "  @@index([first_name])\n"
                      "}\n";
    sinew_schema *s = parse_text(src);
    const sinew_model *m = s->models[0];
    assert_int_equal(m->nindexes, 3);
    assert_string_equal(m->indexes[0].name, "idx_actor_last_name");
    assert_string_equal(m->indexes[1].name, "actor_full_name");
    assert_string_equal(m->indexes[2].name, "actors_first_name_idx");
    const sinew_field *fee = &m->fields[sinew_model_field_index(m, "fee")];
    assert_true(fee->flags & SINEW_FIELD_DB_TYPE);
    assert_string_equal(fee->db_type, "DECIMAL(5,2)");
    const sinew_field *seen = &m->fields[sinew_model_field_index(m, "seen")];
    assert_false(seen->flags & SINEW_FIELD_DB_TYPE);
    assert_null(seen->db_type);
    char path[600];
    snprintf(path, sizeof path, "%s/names.sinew", th_tmpdir());
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    th_ok(sinew_schema_print(s, f));
    fclose(f);
    FILE *in = fopen(path, "r");
    char text[4096];
    size_t n = fread(text, 1, sizeof text - 1, in);
    fclose(in);
    text[n] = 0;
    if (!strstr(text, "@@index([last_name], name: \"idx_actor_last_name\")") ||
        !strstr(text, "@@unique([last_name, first_name], name: \"actor_full_name\")") ||
        !strstr(text, "@@index([first_name])\n") || !strstr(text, "@db_type(\"DECIMAL(5,2)\")"))
        fail_msg("printed:\n%s", text);
    sinew_schema *again = parse_text(text);
    assert_string_equal(again->models[0]->indexes[0].name, "idx_actor_last_name");
    assert_string_equal(again->models[0]->indexes[1].name, "actor_full_name");
    sinew_schema_free(again);
    sinew_schema_free(s);
}

static void blog_graph(void **state)
{
    (void)state;
    sinew_schema *s = parse_file(SCHEMAS "blog.sinew");
    assert_string_equal(s->name, "blog");
    assert_int_equal(s->nenums, 1);
    assert_int_equal(s->enums[0]->nvalues, 3);
    assert_int_equal(s->nmodels, 5);   /* four declared, one join model */
    const sinew_model *user = sinew_schema_find_model(s, "User"), *post = sinew_schema_find_model(s, "Post");
    assert_string_equal(user->table, "users");
    assert_string_equal(user->c_name, "user");
    assert_string_equal(user->doc, "Someone with an account.");
    int inv = sinew_model_field_index(user, "invited_by_id");
    assert_true(inv >= 0);
    assert_true(user->fields[inv].flags & SINEW_FIELD_IMPLICIT);
    assert_true(user->fields[inv].flags & SINEW_FIELD_NULLABLE);
    assert_int_equal(rel(user, "invited_by")->kind, SINEW_BELONGS_TO);
    assert_int_equal(rel(user, "invited_by")->on_delete, SINEW_FK_SET_NULL);
    assert_int_equal(rel(user, "invitees")->kind, SINEW_HAS_MANY);
    assert_string_equal(rel(user, "invitees")->inverse, "invited_by");
    assert_int_equal(rel(user, "posts")->kind, SINEW_HAS_MANY);
    assert_string_equal(rel(user, "posts")->inverse, "author");
    /* the implicit author_id sits where `author` was declared */
    assert_string_equal(post->fields[1].name, "author_id");
    assert_int_equal(post->fields[1].type, SINEW_INT64);
    const sinew_relation *author = rel(post, "author");
    assert_int_equal(author->kind, SINEW_BELONGS_TO);
    assert_ptr_equal(author->target, user);
    assert_int_equal(author->on_delete, SINEW_FK_CASCADE);
    assert_string_equal(author->inverse, "posts");
    const sinew_relation *tags = rel(post, "tags");
    assert_int_equal(tags->kind, SINEW_MANY_TO_MANY);
    assert_string_equal(tags->through->table, "post_tags");
    assert_true(tags->through->flags & SINEW_MODEL_JOIN);
    assert_int_equal(tags->through->npk, 2);
    assert_string_equal(tags->inverse, "posts");
    int st = sinew_model_field_index(post, "status");
    assert_int_equal(post->fields[st].type, SINEW_ENUM);
    assert_int_equal(post->fields[st].def.kind, SINEW_DEFAULT_VALUE);
    assert_string_equal(post->fields[st].def.value, "draft");
    assert_true(post->fields[sinew_model_field_index(post, "version")].flags & SINEW_FIELD_VERSION);
    assert_int_equal(post->nindexes, 1);
    assert_string_equal(post->indexes[0].name, "posts_author_id_title_idx");
    int email = sinew_model_field_index(user, "email");
    assert_non_null(user->fields[email].rules);
    assert_int_equal(user->fields[email].rules->max_len, 254);
    assert_int_equal(user->fields[sinew_model_field_index(user, "created_at")].def.kind, SINEW_DEFAULT_NOW);
    sinew_schema_free(s);
}

/* structural equality of two graphs */
static void same_graph(const sinew_schema *a, const sinew_schema *b)
{
    assert_int_equal(a->nmodels, b->nmodels);
    assert_int_equal(a->nenums, b->nenums);
    for (size_t i = 0; i < a->nenums; i++) {
        assert_string_equal(a->enums[i]->name, b->enums[i]->name);
        assert_int_equal(a->enums[i]->nvalues, b->enums[i]->nvalues);
    }
    for (size_t i = 0; i < a->nmodels; i++) {
        const sinew_model *x = a->models[i], *y = b->models[i];
        assert_string_equal(x->name, y->name);
        assert_string_equal(x->table, y->table);
        assert_int_equal(x->nfields, y->nfields);
        assert_int_equal(x->npk, y->npk);
        assert_int_equal(x->nindexes, y->nindexes);
        assert_int_equal(x->nrelations, y->nrelations);
        for (size_t f = 0; f < x->nfields; f++) {
            assert_string_equal(x->fields[f].name, y->fields[f].name);
            assert_string_equal(x->fields[f].column, y->fields[f].column);
            assert_int_equal(x->fields[f].type, y->fields[f].type);
            assert_int_equal(x->fields[f].flags, y->fields[f].flags);
            assert_int_equal(x->fields[f].def.kind, y->fields[f].def.kind);
            if (x->fields[f].def.value) assert_string_equal(x->fields[f].def.value, y->fields[f].def.value);
            assert_int_equal(!x->fields[f].doc, !y->fields[f].doc);
            assert_int_equal(!x->fields[f].rules, !y->fields[f].rules);
        }
        for (size_t k = 0; k < x->npk; k++) assert_int_equal(x->pk[k], y->pk[k]);
        for (size_t r = 0; r < x->nrelations; r++) {
            const sinew_relation *p = &x->relations[r], *q = &y->relations[r];
            assert_string_equal(p->name, q->name);
            assert_int_equal(p->kind, q->kind);
            assert_string_equal(p->target->name, q->target->name);
            assert_int_equal(p->nkeys, q->nkeys);
            for (size_t k = 0; k < p->nkeys; k++) {
                assert_int_equal(p->local[k], q->local[k]);
                assert_int_equal(p->remote[k], q->remote[k]);
            }
            assert_int_equal(p->on_delete, q->on_delete);
            assert_int_equal(!p->inverse, !q->inverse);
            assert_int_equal(!p->through, !q->through);
        }
        for (size_t k = 0; k < x->nindexes; k++) {
            assert_string_equal(x->indexes[k].name, y->indexes[k].name);
            assert_int_equal(x->indexes[k].unique, y->indexes[k].unique);
        }
    }
}

static const char *const snippets[] = {
    /* has-one */
    "model User {\n  id int64 @id @auto\n  profile Profile?\n}\n"
    "model Profile {\n  id int64 @id @auto\n  user User @unique @on_delete(cascade)\n  bio text?\n}\n",
    /* implicit many-to-many, both sides lists */
    "model Student {\n  id int64 @id @auto\n  courses Course[]\n}\nmodel Course {\n  id int64 @id @auto\n  students Student[]\n}\n",
    /* composite keys referenced by a composite foreign key */
    "model Edition {\n  isbn text\n  printing int32\n  title text\n  @@id([isbn, printing])\n}\n"
    "model Copy {\n  id int64 @id @auto\n  edition Edition @on_delete(restrict)\n  @@index([edition])\n}\n",
    /* every type, defaults, maps, checks, renames, uuid key */
    "enum Mood {\n  happy\n  sad\n}\n"
    "model Everything {\n  id uuid @id @default(uuid)\n  b bool @default(true)\n  i int32 @default(-1) @check(\"i >= -1\")\n"
    "  l int64 @index\n  d double @default(1.5)\n  t text @map(\"t_col\") @renamed_from(old_t)\n  bl blob?\n"
    "  ts timestamp @default(now)\n  dt date @default(\"2024-01-31\")\n  j json @default(\"{}\")\n"
    "  dec decimal @default(0.10)\n  m Mood @default(sad)\n  n text? @length(0, 10) @pattern(\"[a-z]*\")\n"
    "  r double? @range(0, 1)\n  @@unique([l, d])\n  @@map(\"everything\")\n}\n",
    /* self-referencing many-to-many through a named table, and an explicit inverse */
    "model Person {\n  id int64 @id @auto\n  friends Person[] @through(friendships)\n  mentor Person?\n"
    "  coach Person?\n  mentees Person[] @inverse(mentor)\n}\n",
};

static void round_trip(sinew_schema *a)
{
    char *t1, *t2;
    th_ok(sinew_schema_to_string(a, &t1));
    sinew_schema *b;
    sinew_diagnostics *d;
    th_ok(sinew_diagnostics_new(&d));
    int rc = sinew_schema_parse("printed.sinew", t1, strlen(t1), d, &b);
    if (rc) {
        sinew_diagnostics_print(d, stderr);
        fail_msg("the printed schema does not parse:\n%s", t1);
    }
    sinew_diagnostics_free(d);
    same_graph(a, b);
    th_ok(sinew_schema_to_string(b, &t2));
    assert_string_equal(t1, t2);   /* idempotent */
    sinew_free(t1);
    sinew_free(t2);
    sinew_schema_free(b);
}

static void print_parse_identity(void **state)
{
    (void)state;
    const char *files[] = {SCHEMAS "blog.sinew", SCHEMAS "chinook.sinew", SCHEMAS "tracker.sinew"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        sinew_schema *s = parse_file(files[i]);
        round_trip(s);
        sinew_schema_free(s);
    }
    for (size_t i = 0; i < sizeof snippets / sizeof snippets[0]; i++) {
        sinew_schema *s = parse_text(snippets[i]);
        round_trip(s);
        sinew_schema_free(s);
    }
}

static void relation_kinds_of_snippets(void **state)
{
    (void)state;
    sinew_schema *s = parse_text(snippets[0]);
    const sinew_model *u = sinew_schema_find_model(s, "User");
    assert_int_equal(rel(u, "profile")->kind, SINEW_HAS_ONE);
    assert_string_equal(rel(u, "profile")->inverse, "user");
    sinew_schema_free(s);
    s = parse_text(snippets[1]);
    const sinew_model *st = sinew_schema_find_model(s, "Student");
    assert_int_equal(rel(st, "courses")->kind, SINEW_MANY_TO_MANY);
    assert_string_equal(rel(st, "courses")->through->table, "courses_students");
    sinew_schema_free(s);
    s = parse_text(snippets[2]);
    const sinew_model *c = sinew_schema_find_model(s, "Copy");
    assert_int_equal(rel(c, "edition")->nkeys, 2);
    assert_string_equal(c->fields[1].name, "edition_isbn");
    assert_int_equal(c->fields[2].type, SINEW_INT32);
    sinew_schema_free(s);
    s = parse_text(snippets[4]);
    const sinew_model *p = sinew_schema_find_model(s, "Person");
    assert_int_equal(rel(p, "friends")->kind, SINEW_MANY_TO_MANY);
    const sinew_model *fr = rel(p, "friends")->through;
    assert_string_equal(fr->fields[0].name, "person_id");
    assert_string_equal(fr->fields[1].name, "friends_id");
    assert_string_equal(rel(p, "mentees")->inverse, "mentor");
    sinew_schema_free(s);
}

static const sinew_index *index_named(const sinew_model *m, const char *name)
{
    for (size_t i = 0; i < m->nindexes; i++)
        if (!strcmp(m->indexes[i].name, name)) return &m->indexes[i];
    return NULL;
}

/* issue 17, item 5: every to-one's foreign key is indexed unless a key or index leads with it, or @no_index */
static void foreign_keys_get_indexes(void **state)
{
    (void)state;
    sinew_schema *s = parse_text(
        "model Team {\n  id int64 @id @auto\n}\n"
        "model User {\n  id int64 @id @auto\n  boss Team\n  buddy Team @no_index\n  twin Team @unique\n"
        "  pal Team @index\n}\n"
        "model Post {\n  id int64 @id @auto\n  author User\n  editor User\n  kind int32\n  @@index([editor, kind])\n}\n"
        "model Like {\n  user User\n  post Post\n  @@id([user, post])\n}\n");
    const sinew_model *u = sinew_schema_find_model(s, "User"), *p = sinew_schema_find_model(s, "Post"),
                      *l = sinew_schema_find_model(s, "Like");
    assert_int_equal(u->nindexes, 1);                     /* boss; not buddy (@no_index), twin, pal (their own) */
    const sinew_index *ix = index_named(u, "users_boss_id_idx");
    assert_non_null(ix);
    assert_true(ix->automatic);
    assert_int_equal(ix->nfields, 1);
    assert_string_equal(u->fields[ix->fields[0]].name, "boss_id");
    assert_non_null(index_named(p, "posts_author_id_idx"));
    assert_null(index_named(p, "posts_editor_id_idx"));   /* @@index([editor, kind]) leads with it */
    assert_int_equal(p->nindexes, 2);
    assert_null(index_named(l, "likes_user_id_idx"));     /* the key leads with user_id */
    assert_non_null(index_named(l, "likes_post_id_idx"));
    /* printed: no @@index for the automatic ones, @no_index where there is none; parsed back the same */
    char *text;
    th_ok(sinew_schema_to_string(s, &text));
    assert_null(strstr(text, "@@index([author])"));
    assert_null(strstr(text, "@@index([post])"));
    const char *buddy = strstr(text, "buddy "), *nl = buddy ? strchr(buddy, '\n') : NULL, *no = strstr(text, "@no_index");
    assert_true(buddy && nl && no > buddy && no < nl);
    assert_ptr_equal(strstr(no + 1, "@no_index"), NULL);   /* on buddy only */
    assert_non_null(strstr(text, "@@index([editor, kind])"));
    sinew_free(text);
    round_trip(s);
    sinew_schema_free(s);
    /* the join table of a many-to-many: its key leads with one side, the other gets an index */
    s = parse_file(SCHEMAS "blog.sinew");
    const sinew_model *pt = sinew_schema_find_table(s, "post_tags");
    assert_non_null(pt);
    assert_non_null(index_named(pt, "post_tags_tag_id_idx"));
    assert_null(index_named(pt, "post_tags_post_id_idx"));
    sinew_schema_free(s);
}

/* issue 17, item 15: @through on one side is enough */
static void many_to_many_declared_once(void **state)
{
    (void)state;
    sinew_schema *s = parse_text("model Book {\n  id int64 @id @auto\n  shelves Shelf[] @through(book_shelves)\n}\n"
                                 "model Shelf {\n  id int64 @id @auto\n  books Book[]\n}\n");
    const sinew_model *b = sinew_schema_find_model(s, "Book"), *sh = sinew_schema_find_model(s, "Shelf");
    assert_int_equal(rel(b, "shelves")->kind, SINEW_MANY_TO_MANY);
    assert_int_equal(rel(sh, "books")->kind, SINEW_MANY_TO_MANY);
    assert_ptr_equal(rel(b, "shelves")->through, rel(sh, "books")->through);
    assert_string_equal(rel(b, "shelves")->through->table, "book_shelves");
    assert_string_equal(rel(b, "shelves")->inverse, "books");
    assert_string_equal(rel(sh, "books")->inverse, "shelves");
    assert_int_equal(s->nmodels, 3);
    round_trip(s);
    sinew_schema_free(s);
    /* the side without @through declared first: the same */
    s = parse_text("model Shelf {\n  id int64 @id @auto\n  books Book[]\n}\n"
                   "model Book {\n  id int64 @id @auto\n  shelves Shelf[] @through(book_shelves)\n}\n");
    assert_string_equal(rel(sinew_schema_find_model(s, "Shelf"), "books")->through->table, "book_shelves");
    assert_int_equal(s->nmodels, 3);
    sinew_schema_free(s);
}

static long countdown = -1;
static void *fail_malloc(size_t n, void *ctx) { (void)ctx; if (countdown == 0) return NULL; if (countdown > 0) countdown--; return malloc(n); }
static void *fail_realloc(void *p, size_t n, void *ctx) { (void)ctx; if (countdown == 0) return NULL; if (countdown > 0) countdown--; return realloc(p, n); }
static void plain_free(void *p, void *ctx) { (void)ctx; free(p); }

static void out_of_memory_at_every_allocation(void **state)
{
    (void)state;
    FILE *f = fopen(SCHEMAS "blog.sinew", "rb");
    static char text[65536];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    sinew_allocator a = {fail_malloc, fail_realloc, plain_free, NULL};
    int k, failures = 0;
    for (k = 0; k < 5000; k++) {
        sinew_set_allocator(&a);
        countdown = k;
        sinew_diagnostics *d = NULL;
        sinew_schema *s = NULL;
        int rc = sinew_diagnostics_new(&d);
        if (rc == SINEW_OK) rc = sinew_schema_parse("blog.sinew", text, n, d, &s);
        countdown = -1;
        sinew_set_allocator(NULL);
        sinew_diagnostics_free(d);
        if (rc == SINEW_OK) {
            assert_non_null(s);
            sinew_schema_free(s);
            break;
        }
        if (rc != SINEW_NOMEM) fail_msg("allocation %d: %s (%s), want SINEW_NOMEM", k, sinew_status_name(rc), sinew_errmsg());
        assert_null(s);
        failures++;
    }
    assert_true(k < 5000);
    print_message("parser: %d allocation failures injected, each gave SINEW_NOMEM\n", failures);
}

/* issue 21, item 8: @updated_at is a field flag, printed back as written */
static void updated_at_parses_and_prints(void **state)
{
    (void)state;
    const char *src = "model Doc {\n  id int64 @id @auto\n  created_at timestamp @default(now)\n"
                      "  updated_at timestamp @updated_at\n}\n";
    sinew_schema *s;
    th_ok(sinew_schema_parse("doc.sinew", src, strlen(src), NULL, &s));
    const sinew_model *m = sinew_schema_find_model(s, "Doc");
    int f = sinew_model_field_index(m, "updated_at");
    assert_true(f >= 0);
    assert_true(m->fields[f].flags & SINEW_FIELD_UPDATED_AT);
    assert_false(m->fields[sinew_model_field_index(m, "created_at")].flags & SINEW_FIELD_UPDATED_AT);
    char *text;
    th_ok(sinew_schema_to_string(s, &text));
    assert_non_null(strstr(text, "  updated_at timestamp  @updated_at\n"));
    sinew_free(text);
    sinew_schema_free(s);
}

/* issue 21, item 9: @@soft_delete flags the model and its field, makes @@unique partial, prints back as written */
static void soft_delete_parses_and_prints(void **state)
{
    (void)state;
    const char *src = "model Doc {\n  id      int64      @id @auto\n  slug    text\n  gone_at timestamp?\n\n"
                      "  @@unique([slug])\n  @@soft_delete(gone_at)\n}\n";
    sinew_schema *s;
    th_ok(sinew_schema_parse("doc.sinew", src, strlen(src), NULL, &s));
    const sinew_model *m = sinew_schema_find_model(s, "Doc");
    assert_true(m->flags & SINEW_MODEL_SOFT_DELETE);
    assert_int_equal(sinew_model_soft_delete_field(m), sinew_model_field_index(m, "gone_at"));
    assert_int_equal(m->nindexes, 1);
    assert_string_equal(m->indexes[0].where, "\"gone_at\" IS NULL");
    char *text;
    th_ok(sinew_schema_to_string(s, &text));
    assert_non_null(strstr(text, "  @@unique([slug])\n"));
    assert_non_null(strstr(text, "  @@soft_delete(gone_at)\n"));
    sinew_free(text);
    sinew_schema_free(s);
    const char *plain = "model Doc {\n  id int64 @id\n  deleted_at timestamp?\n  @@soft_delete\n}\n";
    th_ok(sinew_schema_parse("doc.sinew", plain, strlen(plain), NULL, &s));
    th_ok(sinew_schema_to_string(s, &text));
    assert_non_null(strstr(text, "  @@soft_delete\n"));
    assert_int_equal(sinew_model_soft_delete_field(sinew_schema_find_model(s, "Doc")), 1);
    sinew_free(text);
    sinew_schema_free(s);
}

/* issue 21, item 10: `target Post | Comment` is one optional to-one per target (nullable key, foreign key,
 * automatic index, the inverse list on the target), a CHECK named after it, and a sinew_poly; it prints back */
static void polymorphic_relation_graph(void **state)
{
    (void)state;
    const char *src = "model Post {\n  id    int64  @id @auto\n  likes Like[]\n}\n\n"
                      "model Comment {\n  id int64 @id @auto\n}\n\n"
                      "model Like {\n  id     int64          @id @auto\n  /// what is liked\n"
                      "  target Post | Comment @on_delete(cascade)\n  who    text\n}\n\n"
                      "model Pin {\n  id    int64          @id @auto\n  thing Comment | Post?\n}\n";
    sinew_schema *s = parse_text(src);
    const sinew_model *m = sinew_schema_find_model(s, "Like");
    assert_int_equal(m->npolys, 1);
    const sinew_poly *p = sinew_model_find_poly(m, "target");
    assert_ptr_equal(p, &m->polys[0]);
    assert_null(sinew_model_find_poly(m, "who"));
    assert_int_equal(p->ntargets, 2);
    assert_false(p->optional);
    assert_string_equal(p->doc, "what is liked");
    assert_string_equal(p->check_name, "likes_target_one_target");
    const sinew_relation *tp = &m->relations[p->targets[0]], *tc = &m->relations[p->targets[1]];
    assert_string_equal(tp->name, "target_post");
    assert_string_equal(tc->name, "target_comment");
    assert_ptr_equal(tp->poly, p);
    assert_ptr_equal(tc->poly, p);
    assert_int_equal(tp->kind, SINEW_BELONGS_TO);
    assert_true(tp->optional && tc->optional);
    assert_int_equal(tp->on_delete, SINEW_FK_CASCADE);
    assert_int_equal(tc->on_delete, SINEW_FK_CASCADE);
    assert_string_equal(tp->target->name, "Post");
    assert_string_equal(tp->inverse, "likes");
    const sinew_field *kp = &m->fields[tp->local[0]], *kc = &m->fields[tc->local[0]];
    assert_string_equal(kp->column, "target_post_id");
    assert_string_equal(kc->column, "target_comment_id");
    assert_true((kp->flags & (SINEW_FIELD_NULLABLE | SINEW_FIELD_FK)) == (SINEW_FIELD_NULLABLE | SINEW_FIELD_FK));
    assert_true(kc->flags & SINEW_FIELD_NULLABLE);
    assert_int_equal(m->nindexes, 2);   /* each key is indexed, as every to-one's */
    assert_int_equal(m->nchecks, 1);
    assert_string_equal(m->checks[0].name, "likes_target_one_target");
    assert_string_equal(m->checks[0].expr, "(CASE WHEN \"target_post_id\" IS NULL THEN 0 ELSE 1 END + "
                                           "CASE WHEN \"target_comment_id\" IS NULL THEN 0 ELSE 1 END) = 1");
    const sinew_model *pin = sinew_schema_find_model(s, "Pin");
    assert_true(pin->polys[0].optional);
    assert_string_equal(pin->relations[pin->polys[0].targets[0]].target->name, "Comment");
    assert_non_null(strstr(pin->checks[0].expr, ") <= 1"));
    /* the inverse on Post is the has-many of the target's to-one */
    assert_int_equal(rel(sinew_schema_find_model(s, "Post"), "likes")->kind, SINEW_HAS_MANY);
    char *text;
    th_ok(sinew_schema_to_string(s, &text));
    assert_non_null(strstr(text, "  target Post | Comment @on_delete(cascade)\n"));
    assert_non_null(strstr(text, "  thing Comment | Post?\n"));
    assert_null(strstr(text, "@@check"));          /* the CHECK is the relation's, not written out */
    assert_null(strstr(text, "target_post"));
    sinew_free(text);
    round_trip(s);
    sinew_schema_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(polymorphic_relation_graph),
        cmocka_unit_test(blog_graph),
        cmocka_unit_test(print_parse_identity),
        cmocka_unit_test(relation_kinds_of_snippets),
        cmocka_unit_test(foreign_keys_get_indexes),
        cmocka_unit_test(many_to_many_declared_once),
        cmocka_unit_test(out_of_memory_at_every_allocation),
        cmocka_unit_test(index_names_and_declared_types),
        cmocka_unit_test(updated_at_parses_and_prints),
        cmocka_unit_test(soft_delete_parses_and_prints),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
