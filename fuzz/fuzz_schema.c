/*
 * fuzz_schema - libFuzzer target for the schema-language parser: any bytes
 * in, a graph (printed and parsed again) or diagnostics out; never a crash
 * or a leak. A graph that parses must print to text that parses too.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "sinew/sinew.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sinew_diagnostics *d;
    if (sinew_diagnostics_new(&d)) return 0;
    sinew_schema *s = NULL;
    int rc = sinew_schema_parse("fuzz.sinew", (const char *)data, size, d, &s);
    if (rc == SINEW_OK) {
        char *text;
        if (sinew_schema_to_string(s, &text) == SINEW_OK) {
            sinew_schema *again = NULL;
            if (sinew_schema_parse("printed.sinew", text, strlen(text), NULL, &again) != SINEW_OK) abort();
            sinew_schema_free(again);
            sinew_free(text);
        }
        sinew_schema_free(s);
    } else if (rc != SINEW_INVALID && rc != SINEW_NOMEM) {
        abort();
    }
    sinew_diagnostics_free(d);
    return 0;
}
