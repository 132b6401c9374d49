/* Hand-written descriptors used by the CRUD tests (the documented way to map existing structs). */
#ifndef CRUD_MODELS_H
#define CRUD_MODELS_H
#include "sinew/sinew.h"

typedef enum { COLOR_RED, COLOR_GREEN, COLOR_BLUE } Color;

/* every type, once required and once nullable */
typedef struct Thing {
    int64_t id;
    bool b;           bool ob;        bool has_ob;
    int32_t i32;      int32_t oi32;   bool has_oi32;
    int64_t i64;      int64_t oi64;   bool has_oi64;
    double d;         double od;      bool has_od;
    char *t;          char *ot;
    sinew_blob bl;    sinew_blob obl; bool has_obl;
    int64_t ts;       int64_t ots;    bool has_ots;
    int32_t dt;       int32_t odt;    bool has_odt;
    sinew_uuid u;     sinew_uuid ou;  bool has_ou;
    char *j;          char *oj;
    char *dec;        char *odec;
    int e;            int oe;         bool has_oe;
} Thing;

extern const sinew_model thing_model;

/* a unique email, a version counter */
typedef struct Account {
    int64_t id;
    char *email;
    char *name;
    int32_t version;
} Account;
extern const sinew_model account_model;

/* composite primary key, no auto */
typedef struct Membership {
    int64_t group_id;
    char *member;
    char *role;
} Membership;
extern const sinew_model membership_model;

#endif
