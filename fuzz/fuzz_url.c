/*
 * fuzz_url - libFuzzer target for the database URL parser: any bytes in,
 * a URL or a clear SINEW_INVALID out, never a crash or a leak.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "sinew/sinew.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    sinew_url *u = NULL;
    int rc = sinew_url_parse(text, &u);
    if (rc == SINEW_OK) {
        (void)sinew_url_param(u, "sslmode");
        sinew_url_free(u);
    } else if (rc != SINEW_INVALID && rc != SINEW_NOMEM) {
        abort();   /* only these two are possible */
    }
    free(text);
    return 0;
}
