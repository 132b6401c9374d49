/*
 * quickstart - sinew without code generation: a hand-written descriptor over
 * an existing struct, a SQLite file, and save / get / update / delete.
 *
 *   quickstart [path/to/file.db]
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "sinew/sinew.h"

typedef struct Book {
    int64_t id;
    char *title;
    char *author;
    int32_t year;
    bool has_year;          /* year is nullable */
} Book;

static const sinew_field book_fields[] = {
    SINEW_FIELD(Book, id, SINEW_INT64, SINEW_FIELD_PK | SINEW_FIELD_AUTO),
    SINEW_FIELD(Book, title, SINEW_TEXT, SINEW_FIELD_UNIQUE),
    SINEW_FIELD(Book, author, SINEW_TEXT, 0),
    SINEW_FIELD_OPT(Book, year, SINEW_INT32, 0),
};
static const unsigned book_pk[] = {0};
static const sinew_model book_model = SINEW_MODEL(Book, "Book", "books", "book", book_fields, book_pk);

#define CHECK(call)                                                                  \
    do {                                                                             \
        int rc_ = (call);                                                            \
        if (rc_ != SINEW_OK) {                                                       \
            fprintf(stderr, "%s failed: %s: %s\n", #call, sinew_status_name(rc_), sinew_errmsg()); \
            return 1;                                                                \
        }                                                                            \
    } while (0)

int main(int argc, char **argv)
{
    char url[1024];
    snprintf(url, sizeof url, "sqlite:%s", argc > 1 ? argv[1] : "quickstart.db");
    sinew_db *db;
    CHECK(sinew_open(url, &db));
    printf("opened %s\n", url);
    CHECK(sinew_exec(db, "DROP TABLE IF EXISTS books"));
    CHECK(sinew_create_table(db, &book_model));

    sinew_session *s;
    CHECK(sinew_session_new(db, &s));
    const char *titles[] = {"A Tale of Two Cities", "Middlemarch", "Untitled Draft"};
    const char *authors[] = {"Charles Dickens", "George Eliot", "Anonymous"};
    const int years[] = {1859, 1871, 0};
    for (int i = 0; i < 3; i++) {
        Book *b;
        CHECK(sinew_new(s, &book_model, (void **)&b));
        b->title = (char *)titles[i];
        b->author = (char *)authors[i];
        b->year = years[i];
        b->has_year = years[i] != 0;
        CHECK(sinew_save(s, &book_model, b));
        printf("saved   book %lld: %s\n", (long long)b->id, b->title);
    }
    sinew_session_free(s);

    CHECK(sinew_session_new(db, &s));
    Book *b;
    sinew_value key = sinew_v_int64(2);
    CHECK(sinew_get(s, &book_model, &key, 1, (void **)&b));
    printf("loaded  book 2: %s by %s (%d)\n", b->title, b->author, b->year);
    b->title = "Middlemarch: A Study of Provincial Life";
    CHECK(sinew_save(s, &book_model, b));
    printf("renamed book 2: %s (only the title column was written)\n", b->title);

    sinew_value title = sinew_v_text("Untitled Draft");
    CHECK(sinew_get_by(s, &book_model, 1, &title, (void **)&b));
    printf("found   '%s' by unique title, year %s\n", b->title, b->has_year ? "known" : "unknown (NULL)");
    CHECK(sinew_delete(s, &book_model, b));
    int64_t n;
    CHECK(sinew_count(s, &book_model, &n));
    printf("deleted it; %lld books remain\n", (long long)n);

    key = sinew_v_int64(99);
    if (sinew_get(s, &book_model, &key, 1, (void **)&b) == SINEW_NOTFOUND)
        printf("book 99: %s\n", sinew_errmsg());
    sinew_session_free(s);
    sinew_close(db);
    return 0;
}
