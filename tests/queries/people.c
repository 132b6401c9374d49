#include "people.h"
#include <stddef.h>

static const unsigned k0[] = {0}, k5[] = {5};
static const sinew_field person_fields[] = {
    SINEW_FIELD(Person, id, SINEW_INT64, SINEW_FIELD_PK | SINEW_FIELD_AUTO),
    SINEW_FIELD(Person, name, SINEW_TEXT, 0),
    SINEW_FIELD_OPT(Person, age, SINEW_INT32, 0),
    SINEW_FIELD(Person, score, SINEW_DOUBLE, 0),
    SINEW_FIELD(Person, active, SINEW_BOOL, 0),
    SINEW_FIELD_OPT(Person, team_id, SINEW_INT64, SINEW_FIELD_FK),
};
static const sinew_relation person_rels[] = {
    {"team", SINEW_BELONGS_TO, &team_model, k5, k0, 1, NULL, NULL, NULL, "members", SINEW_FK_SET_NULL,
     SINEW_FK_NO_ACTION, 1, offsetof(Person, team), NULL, 0, {0, 0}, NULL, NULL},
};
static const sinew_field team_fields[] = {
    SINEW_FIELD(Team, id, SINEW_INT64, SINEW_FIELD_PK | SINEW_FIELD_AUTO),
    SINEW_FIELD(Team, name, SINEW_TEXT, SINEW_FIELD_UNIQUE),
};
static const sinew_relation team_rels[] = {
    {"members", SINEW_HAS_MANY, &person_model, k0, k5, 1, NULL, NULL, NULL, "team", SINEW_FK_NO_ACTION,
     SINEW_FK_NO_ACTION, 0, offsetof(Team, members), NULL, 0, {0, 0}, NULL, NULL},
};
static const unsigned pk[] = {0};
const sinew_model person_model = {"Person", "people", "person", NULL, NULL, 0, sizeof(Person), person_fields, 6, pk, 1,
                                  NULL, 0, person_rels, 1, {0, 0}, SINEW_DIST_UNSAID, 0, NULL, NULL, NULL, 0, NULL, NULL, 0};
const sinew_model team_model = {"Team", "teams", "team", NULL, NULL, 0, sizeof(Team), team_fields, 2, pk, 1, NULL, 0,
                                team_rels, 1, {0, 0}, SINEW_DIST_UNSAID, 0, NULL, NULL, NULL, 0, NULL, NULL, 0};
static const sinew_model *const models[] = {&team_model, &person_model};
const sinew_schema people_schema = {"people", models, 2, NULL, 0, NULL};
