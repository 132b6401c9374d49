/*
 * check_doc_blocks - every ```c block in the Markdown files of docs/ must
 * occur (line by line, ignoring leading and trailing blanks) in a compiled
 * source: the files under docs/examples, tests, examples, bench, or a public
 * header. A block marked ```c nocheck is skipped (for pseudo-code). Prints
 * every block that matches nothing.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *p = malloc((size_t)n + 1);
    if (p && fread(p, 1, (size_t)n, f) != (size_t)n) n = 0;
    if (p) p[n] = '\0';
    fclose(f);
    return p;
}

/* the text with every line trimmed, lines joined by \n */
static char *normalize(const char *s)
{
    char *out = malloc(strlen(s) + 2), *w = out;
    while (*s) {
        const char *e = strchr(s, '\n');
        if (!e) e = s + strlen(s);
        const char *a = s, *b = e;
        while (a < b && (*a == ' ' || *a == '\t')) a++;
        while (b > a && (b[-1] == ' ' || b[-1] == '\t' || b[-1] == '\r')) b--;
        if (b > a) {
            memcpy(w, a, (size_t)(b - a));
            w += b - a;
            *w++ = '\n';
        }
        s = *e ? e + 1 : e;
    }
    *w = '\0';
    return out;
}

static char *corpus;
static size_t corpus_len;

static void add_file(const char *path)
{
    char *t = slurp(path);
    if (!t) return;
    char *n = normalize(t);
    size_t len = strlen(n);
    corpus = realloc(corpus, corpus_len + len + 2);
    memcpy(corpus + corpus_len, n, len);
    corpus_len += len;
    corpus[corpus_len++] = '\n';
    corpus[corpus_len] = '\0';
    free(t);
    free(n);
}

static void add_dir(const char *dir, int recurse)
{
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        size_t n = strlen(e->d_name);
        if (n > 2 && (!strcmp(e->d_name + n - 2, ".c") || !strcmp(e->d_name + n - 2, ".h"))) add_file(path);
        else if (recurse && !strchr(e->d_name, '.')) add_dir(path, 1);
    }
    closedir(d);
}

int main(int argc, char **argv)
{
    if (argc < 2) return 2;
    char path[4096];
    const char *dirs[] = {"docs/examples", "tests", "examples", "include/sinew", "bench"};
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", argv[1], dirs[i]);
        add_dir(path, 1);
    }
    snprintf(path, sizeof path, "%s/docs", argv[1]);
    DIR *d = opendir(path);
    if (!d) return 2;
    struct dirent *e;
    int blocks = 0, bad = 0;
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n < 4 || strcmp(e->d_name + n - 3, ".md")) continue;
        char mdpath[8192];
        snprintf(mdpath, sizeof mdpath, "%s/%s", path, e->d_name);
        char *md = slurp(mdpath);
        for (char *p = md; p && (p = strstr(p, "```c")); ) {
            char *eol = strchr(p, '\n');
            if (!eol) break;
            int skip = strstr(p, "nocheck") && strstr(p, "nocheck") < eol;
            int is_c = p[4] == '\n' || p[4] == ' ';
            char *end = strstr(eol + 1, "```");
            if (!end) break;
            if (is_c && !skip) {
                *end = '\0';
                char *blk = normalize(eol + 1);
                blocks++;
                if (!strstr(corpus, blk)) {
                    bad++;
                    fprintf(stderr, "%s: this ```c block is in no compiled file (put it in docs/examples/):\n%s\n",
                            mdpath, blk);
                }
                free(blk);
                *end = '`';
            }
            p = end + 3;
        }
        free(md);
    }
    closedir(d);
    printf("%d doc blocks checked, %d not compiled\n", blocks, bad);
    free(corpus);
    return bad ? 1 : 0;
}
