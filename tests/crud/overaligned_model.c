/*
 * Must not compile: session objects are 8-byte aligned, and SINEW_MODEL
 * refuses a struct that needs more (the test checks the message).
 */
#include "sinew/sinew.h"

typedef struct Reading {
    int64_t id;
    long double value;   /* 16-byte aligned on x86-64 */
} Reading;

static const sinew_field reading_fields[] = {
    SINEW_FIELD(Reading, id, SINEW_INT64, SINEW_FIELD_PK | SINEW_FIELD_AUTO),
};
static const unsigned reading_pk[] = {0};
const sinew_model reading_model = SINEW_MODEL(Reading, "Reading", "readings", "reading", reading_fields, reading_pk);
