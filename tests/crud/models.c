#include "models.h"
#include <stddef.h>

static const char *const color_values[] = {"red", "green", "blue"};
static const sinew_enum color_enum = {"Color", color_values, 3, NULL, {0, 0}};

#define ENUMF(member, flags, hasoff)                                                     \
    { #member, #member, SINEW_ENUM, flags, &color_enum, {SINEW_DEFAULT_NONE, NULL}, NULL, \
      NULL, NULL, NULL, offsetof(Thing, member), hasoff, 0, {0, 0}, NULL, NULL }

static const sinew_field thing_fields[] = {
    SINEW_FIELD(Thing, id, SINEW_INT64, SINEW_FIELD_PK | SINEW_FIELD_AUTO),
    SINEW_FIELD(Thing, b, SINEW_BOOL, 0),
    SINEW_FIELD_OPT(Thing, ob, SINEW_BOOL, 0),
    SINEW_FIELD(Thing, i32, SINEW_INT32, 0),
    SINEW_FIELD_OPT(Thing, oi32, SINEW_INT32, 0),
    SINEW_FIELD(Thing, i64, SINEW_INT64, 0),
    SINEW_FIELD_OPT(Thing, oi64, SINEW_INT64, 0),
    SINEW_FIELD(Thing, d, SINEW_DOUBLE, 0),
    SINEW_FIELD_OPT(Thing, od, SINEW_DOUBLE, 0),
    SINEW_FIELD(Thing, t, SINEW_TEXT, 0),
    SINEW_FIELD(Thing, ot, SINEW_TEXT, SINEW_FIELD_NULLABLE),
    SINEW_FIELD(Thing, bl, SINEW_BLOB, 0),
    SINEW_FIELD_OPT(Thing, obl, SINEW_BLOB, 0),
    SINEW_FIELD(Thing, ts, SINEW_TIMESTAMP, 0),
    SINEW_FIELD_OPT(Thing, ots, SINEW_TIMESTAMP, 0),
    SINEW_FIELD(Thing, dt, SINEW_DATE, 0),
    SINEW_FIELD_OPT(Thing, odt, SINEW_DATE, 0),
    SINEW_FIELD(Thing, u, SINEW_UUID, 0),
    SINEW_FIELD_OPT(Thing, ou, SINEW_UUID, 0),
    SINEW_FIELD(Thing, j, SINEW_JSON, 0),
    SINEW_FIELD(Thing, oj, SINEW_JSON, SINEW_FIELD_NULLABLE),
    SINEW_FIELD(Thing, dec, SINEW_DECIMAL, 0),
    SINEW_FIELD(Thing, odec, SINEW_DECIMAL, SINEW_FIELD_NULLABLE),
    ENUMF(e, 0, SINEW_NO_OFFSET),
    ENUMF(oe, SINEW_FIELD_NULLABLE, offsetof(Thing, has_oe)),
};
static const unsigned thing_pk[] = {0};
const sinew_model thing_model = SINEW_MODEL(Thing, "Thing", "things", "thing", thing_fields, thing_pk);

static const sinew_field account_fields[] = {
    SINEW_FIELD(Account, id, SINEW_INT64, SINEW_FIELD_PK | SINEW_FIELD_AUTO),
    SINEW_FIELD(Account, email, SINEW_TEXT, SINEW_FIELD_UNIQUE),
    SINEW_FIELD(Account, name, SINEW_TEXT, 0),
    SINEW_FIELD(Account, version, SINEW_INT32, SINEW_FIELD_VERSION),
};
static const unsigned account_pk[] = {0};
const sinew_model account_model = SINEW_MODEL(Account, "Account", "accounts", "account", account_fields, account_pk);

static const sinew_field membership_fields[] = {
    SINEW_FIELD(Membership, group_id, SINEW_INT64, SINEW_FIELD_PK),
    SINEW_FIELD(Membership, member, SINEW_TEXT, SINEW_FIELD_PK),
    SINEW_FIELD(Membership, role, SINEW_TEXT, SINEW_FIELD_NULLABLE),
};
static const unsigned membership_pk[] = {0, 1};
const sinew_model membership_model =
    SINEW_MODEL(Membership, "Membership", "memberships", "membership", membership_fields, membership_pk);
