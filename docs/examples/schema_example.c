/*
 * schema_example.c - the code of docs/schema.md: a schema parsed from
 * text, printed back canonically, drawn, and turned into C.
 */
#include <stdio.h>
#include <string.h>
#include "sinew/sinew.h"

#define CHECK(x) do { int rc_ = (x); if (rc_) { fprintf(stderr, "%s: %s\n", #x, sinew_errmsg()); return 1; } } while (0)

int main(void)
{
    const char *text = "model Note {\n  id int64 @id @auto\n  body text @length(1, 500)\n}\n";
    sinew_diagnostics *d;
    CHECK(sinew_diagnostics_new(&d));
    sinew_schema *s;
    if (sinew_schema_parse("inline.sinew", text, strlen(text), d, &s) != SINEW_OK) {
        sinew_diagnostics_print(d, stderr);
        return 1;
    }
    sinew_diagnostics_free(d);
    CHECK(sinew_schema_print(s, stdout));
    CHECK(sinew_diagram(s, SINEW_DIAGRAM_MERMAID, stdout));
    FILE *h = tmpfile(), *c = tmpfile();
    sinew_codegen_opts o = {"inline.h", "inline.sinew"};
    CHECK(sinew_codegen(s, &o, h, c));
    fclose(h);
    fclose(c);
    sinew_schema_free(s);
    /* a broken schema: every error reported, compiler style */
    const char *bad = "model X {\n  id int64 @id\n  n strng\n  m itn\n}\n";
    CHECK(sinew_diagnostics_new(&d));
    if (sinew_schema_parse("bad.sinew", bad, strlen(bad), d, &s) == SINEW_OK) return 1;
    sinew_diagnostics_print(d, stdout);
    int errors = (int)sinew_diagnostics_errors(d);
    sinew_diagnostics_free(d);
    return errors == 2 ? 0 : 1;
}
