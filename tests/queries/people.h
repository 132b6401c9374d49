/* A small hand-written model for the query tests: people in teams. */
#ifndef QUERIES_PEOPLE_H
#define QUERIES_PEOPLE_H
#include "sinew/sinew.h"

typedef struct Team Team;
typedef struct Person {
    int64_t id;
    char *name;
    int32_t age;
    bool has_age;
    double score;
    bool active;
    int64_t team_id;
    bool has_team_id;
    Team *team;
} Person;
struct Team {
    int64_t id;
    char *name;
    sinew_list members;
};

extern const sinew_model person_model, team_model;
extern const sinew_schema people_schema;

#define PERSON_ID sinew_column(&person_model, 0)
#define PERSON_NAME sinew_column(&person_model, 1)
#define PERSON_AGE sinew_column(&person_model, 2)
#define PERSON_SCORE sinew_column(&person_model, 3)
#define PERSON_ACTIVE sinew_column(&person_model, 4)
#define PERSON_TEAM_ID sinew_column(&person_model, 5)
#define PERSON_TEAM (&person_model.relations[0])
#define TEAM_ID sinew_column(&team_model, 0)
#define TEAM_NAME sinew_column(&team_model, 1)
#define TEAM_MEMBERS (&team_model.relations[0])

#endif
