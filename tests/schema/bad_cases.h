/* Bad schemas and the exact first diagnostic each must produce ("line:col: message"). */
typedef struct bad_case {
    const char *name;
    const char *src;
    const char *want;
} bad_case;

#define M(body) "model User {\n  id int64 @id @auto\n" body "}\n"

static const bad_case bad_cases[] = {
    {"unknown type", M("  name strng\n"), "3:8: unknown type 'strng'; did you mean 'text'?"},
    {"unknown model type", M("  boss Usr?\n"), "3:8: unknown type 'Usr'; did you mean 'User'?"},
    {"duplicate model", M("") M(""), "4:7: duplicate name 'User': a model or enum of that name exists already"},
    {"duplicate field", M("  email text\n  email text\n"), "4:3: duplicate field 'email' in model User"},
    {"duplicate enum value", "enum S {\n  a\n  b\n  a\n}\n" M("  s S\n"), "4:3: duplicate value 'a' in enum S"},
    {"empty enum", "enum S {\n}\n" M(""), "1:6: enum S has no values: list them, e.g. `enum S { a b }`"},
    {"no primary key", "model Tag {\n  name text\n}\n",
     "1:7: model Tag has no primary key: mark a field @id (e.g. `id int64 @id @auto`) or add @@id([...]); a table without one is @@readonly"},
    {"auto on text", "model T {\n  code text @id @auto\n}\n",
     "2:3: @auto needs an integer @id field (int32 or int64); 'code' is text"},
    {"auto not id", M("  n int64 @auto\n"), "3:3: @auto needs an integer @id field (int32 or int64); 'n' is int64 and not @id"},
    {"unknown attribute", M("  email text @uniq\n"), "3:14: unknown attribute '@uniq'; did you mean '@unique'?"},
    {"bad default type", M("  age int32 @default(\"abc\")\n"), "3:22: @default(\"abc\") does not fit int32 field 'age'"},
    {"default out of int32", M("  age int32 @default(3000000000)\n"), "3:22: @default(3000000000) does not fit int32 field 'age'"},
    {"bad enum default", "enum S {\n  draft\n  live\n}\n" M("  s S @default(drfat)\n"),
     "7:16: @default(drfat): 'drfat' is not a value of enum S; did you mean 'draft'?"},
    {"default now on int", M("  n int64 @default(now)\n"), "3:20: @default(now) needs a timestamp or date field; 'n' is int64"},
    {"version on text", M("  v text @version\n"), "3:3: @version needs an int32 or int64 field; 'v' is text"},
    {"updated_at on text", M("  t text @updated_at\n"), "3:10: @updated_at needs a timestamp field; 't' is text"},
    {"updated_at on a date", M("  t date @updated_at\n"), "3:10: @updated_at needs a timestamp field; 't' is date"},
    {"updated_at twice", M("  t timestamp @updated_at @updated_at\n"),
     "3:27: @updated_at is given twice on 't'; write it once"},
    {"updated_at with auto", M("  t timestamp @updated_at @auto\n"),
     "3:15: @updated_at cannot go with @auto on 't': sinew writes the time of every save into it; drop one of them"},
    {"updated_at with arguments", M("  t timestamp @updated_at(now)\n"), "3:15: @updated_at takes no arguments"},
    {"soft delete without its field", M("  @@soft_delete\n"),
     "3:3: @@soft_delete needs the field 'deleted_at' in User: add `deleted_at timestamp?`, or name another with "
     "@@soft_delete(field)"},
    {"soft delete field not nullable", M("  deleted_at timestamp\n  @@soft_delete\n"),
     "4:3: @@soft_delete: 'deleted_at' must be a nullable timestamp that nothing else writes (`deleted_at timestamp?`, "
     "no @id, @generated or @updated_at)"},
    {"soft delete field of another type", M("  gone text?\n  @@soft_delete(gone)\n"),
     "4:3: @@soft_delete: 'gone' must be a nullable timestamp that nothing else writes (`gone timestamp?`, "
     "no @id, @generated or @updated_at)"},
    {"soft delete twice", M("  deleted_at timestamp?\n  @@soft_delete\n  @@soft_delete\n"),
     "5:3: @@soft_delete is given twice on User; write it once"},
    {"soft delete with a string", M("  @@soft_delete(\"x\")\n"),
     "3:3: @@soft_delete takes at most the name of its field: @@soft_delete or @@soft_delete(deleted_at)"},
    {"soft delete and a unique field", M("  email text @unique\n  deleted_at timestamp?\n  @@soft_delete\n"),
     "3:3: @unique on 'email' of User, which is @@soft_delete: write @@unique([email]) instead, which sinew makes "
     "unique among the rows not deleted (a partial index WHERE \"deleted_at\" IS NULL)"},
    {"soft delete of a read-only model", "model L {\n  a int64\n  deleted_at timestamp?\n  @@readonly\n  @@soft_delete\n}\n",
     "5:3: @@soft_delete on L, which is @@readonly: sinew never deletes its rows"},
    {"@@id unknown", "model T {\n  a int64\n  @@id([a, b])\n}\n", "3:3: @@id names 'b', which is not a field or to-one relation of T"},
    {"unterminated string", M("  n text @map(\"name)\n"), "3:15: unterminated string: add the closing '\"' on the same line"},
    {"stray character", M("  n text $\n"), "3:10: unexpected character '$'"},
    {"missing brace after name", "model User\n  id int64 @id\n}\n", "2:3: expected '{' after 'model User', found 'id'"},
    {"unclosed model", "model User {\n  id int64 @id\n", "1:1: model User is not closed: add '}' after its last field"},
    {"missing inverse", M("  posts Post[]\n") "model Post {\n  id int64 @id\n}\n",
     "3:3: missing inverse: Post has no field pointing to User for 'posts'; add a to-one field (`user User`) to Post, or a list back for many-to-many"},
    {"ambiguous inverse", M("  posts Post[]\n") "model Post {\n  id int64 @id\n  author User\n  editor User\n}\n",
     "3:3: ambiguous inverse: Post has 2 fields pointing to User (author, editor); say which one with @inverse(...)"},
    {"duplicate column", M("  email text\n  mail text @map(\"email\")\n"), "4:3: fields 'email' and 'mail' of User both map to column 'email'"},
    {"c name collision", M("") "model user {\n  id int64 @id\n}\n",
     "4:7: models User and user would both generate C functions named user_...; rename one"},
    {"implicit fk collides", M("") "model Post {\n  id int64 @id\n  author_id int64\n  author User\n}\n",
     "7:3: relation 'author' makes the field 'author_id', but Post already has a field of that name: write @fk(author_id) to use it"},
    {"bad on_delete", M("") "model Post {\n  id int64 @id\n  author User @on_delete(explode)\n}\n",
     "6:26: @on_delete(explode): expected cascade, set_null, restrict, set_default or no_action"},
    {"through on to-one", M("") "model Post {\n  id int64 @id\n  author User @through(x)\n}\n",
     "6:3: @through is for many-to-many lists; 'author' is a to-one relation (write User[])"},
    {"map needs string", M("  n text @map(name)\n"), "3:10: @map needs one string: @map(\"column\")"},
    {"fk names unknown field", M("") "model Post {\n  id int64 @id\n  author User @fk(writer)\n}\n",
     "6:3: @fk(writer): Post has no field 'writer'"},
    {"scalar list", M("  tags text[]\n"), "3:8: 'text[]': lists are for relations; a list of text values is not a column type (use json, or a related model)"},
    {"optional list", M("  friends User[]?\n"), "3:11: 'User[]?': a list is never NULL, only empty; drop the '?'"},
    {"field without type", M("  name\n"), "4:1: field 'name' needs a type after its name, e.g. `name text`"},
    {"top-level junk", "modle User {\n}\n", "1:1: expected 'model' or 'enum', found 'modle'"},
    {"relation attr on column", M("  n int64 @on_delete(cascade)\n"), "3:11: @on_delete is for relation fields; 'n' is a int64 column"},
    {"optional key", "model T {\n  id int64? @id\n}\n", "2:3: the key field 'id' cannot be optional: drop the '?'"},
    {"auto in a composite key", "model T {\n  a int64 @id\n  b int64 @id @auto\n}\n",
     "3:3: @auto needs a key of one field, but T's key has 2; drop @auto or give T a single @id"},
    {"unique relation to a composite key",
     "model T {\n  a int64\n  b int64\n  @@id([a, b])\n}\nmodel U {\n  id int64 @id\n  t T @unique\n}\n",
     "8:3: @unique on 't' would cover one column, but T's key has 2; write @@unique([t]) in U instead"},
    {"length out of range", M("  bio text @length(1, 1e21)\n"),
     "3:12: @length(1, 1e21): lengths are whole numbers from 0 to 2147483647"},
    /* issue 17, item 15: which of two lists with @through does the bare list pair with? */
    {"ambiguous many-to-many", "model Book {\n  id int64 @id\n  shelves Shelf[] @through(book_shelves)\n"
     "  wishlist Shelf[] @through(wishes)\n}\nmodel Shelf {\n  id int64 @id\n  books Book[]\n}\n",
     "8:3: ambiguous many-to-many: Book has 2 lists pointing to Shelf (shelves @through(book_shelves), wishlist "
     "@through(wishes)); say which one 'books' pairs with: add @through(book_shelves) or @through(wishes) to Shelf.books"},
    {"no_index on a list", M("  posts Post[] @no_index\n") "model Post {\n  id int64 @id\n  author User\n}\n",
     "3:3: @no_index is for to-one relations without @index: it keeps sinew from indexing the foreign key of 'posts'"},
    /* control characters in names (issue 16, item 1): they would end a migration comment */
    {"newline in @map", M("  note text? @map(\"note\\nDROP TABLE victims;\\n\")\n"),
     "3:19: @map(\"note\\x0aDROP TABLE victims;\\x0a\"): the name holds the control character 0x0a (byte 5); names "
     "cannot contain control characters: remove it"},
    {"tab in @@map", "model T {\n  id int64 @id\n  @@map(\"a\tb\")\n}\n",
     "3:9: @@map(\"a\\x09b\"): the name holds the control character 0x09 (byte 2); names cannot contain control "
     "characters: remove it"},
    {"escape in relation @map", M("") "model Post {\n  id int64 @id\n  author User @map(\"a\\tb\")\n}\n",
     "6:20: @map(\"a\\x09b\"): the name holds the control character 0x09 (byte 2); names cannot contain control "
     "characters: remove it"},
    {"DEL in @through", M("  tags Tag[] @through(\"t\x7f\")\n") "model Tag {\n  id int64 @id\n  users User[] @through(\"t\x7f\")\n}\n",
     "3:23: @through(\"t\\x7f\"): the name holds the control character 0x7f (byte 2); names cannot contain control "
     "characters: remove it"},
    {"newline in @renamed_from", M("  n text @renamed_from(\"o\\nld\")\n"),
     "3:24: @renamed_from(\"o\\x0ald\"): the name holds the control character 0x0a (byte 2); names cannot contain "
     "control characters: remove it"},
    {"@@index name not a string", M("  n text\n  @@index([n], name: n)\n"),
     "4:22: @@index takes the fields and, optionally, the index's SQL name and a partial index's predicate: "
     "@@index([a, b], name: \"users_a_b_idx\", where: \"deleted_at IS NULL\")"},
    {"@@unique unlabelled second argument", M("  n text\n  @@unique([n], \"x\")\n"),
     "4:17: @@unique takes the fields and, optionally, the index's SQL name and a partial index's predicate: "
     "@@unique([a, b], name: \"users_a_b_key\", where: \"deleted_at IS NULL\")"},
    {"@@index where: twice", M("  n text\n  @@index([n], where: \"n > 1\", where: \"n < 2\")\n"),
     "4:39: @@index takes the fields and, optionally, the index's SQL name and a partial index's predicate: "
     "@@index([a, b], name: \"users_a_b_idx\", where: \"deleted_at IS NULL\")"},
    {"@id name not a string", "model U {\n  id int64 @id(name: n)\n}\n",
     "2:22: @id takes the constraint's SQL name as name: \"...\": @id(name: \"pk_users\")"},
    {"@@check without an expression", M("  n text\n  @@check(name: \"c\")\n"),
     "4:3: @@check needs the SQL expression as a string and, optionally, the constraint's name: "
     "@@check(\"price >= 0\", name: \"chk_price\")"},
    {"@fk name unlabelled", M("  n text\n  o User @fk(n, \"x\")\n"),
     "4:17: @fk names fields of this model: @fk(author_id)"},
    {"@generated with a number", M("  n int32\n  twice int32 @generated(2)\n"),
     "4:15: @generated needs the SQL expression as a string and, optionally, stored (the default) or virtual: "
     "@generated(\"price * qty\")"},
    {"@generated and @default", M("  n int32\n  twice int32 @generated(\"n * 2\") @default(1)\n"),
     "4:3: 'twice' is @generated: the database computes it, so it cannot also be @default"},
    {"@db_type without a type", M("  n text @db_type()\n"),
     "3:10: @db_type needs the column's SQL type as one string: @db_type(\"NUMERIC(5,2)\")"},
    /* distribution (@@distribute, @@reference): what a Citus cluster would refuse, said at compile time */
#define TENANT "model Tenant {\n  id int64 @id\n  @@distribute(id)\n}\n"
#define ORDER "model Order {\n  tenant Tenant\n  id int64\n  @@id([tenant, id])\n  @@distribute(tenant)\n}\n"
    {"distributed key without the column", "model T {\n  id int64 @id\n  tenant int64\n  @@distribute(tenant)\n}\n",
     "4:3: T is distributed by tenant, so its primary key must include tenant (each shard checks its keys alone, and "
     "Citus refuses a key without the distribution column): use @@id([tenant, id])"},
    {"distribution column unknown", "model T {\n  id int64 @id\n  @@distribute(idd)\n}\n",
     "3:16: @@distribute(idd): T has no field or to-one relation 'idd'"},
    {"distribute without a column", "model T {\n  id int64 @id\n  @@distribute\n}\n",
     "3:3: @@distribute needs the distribution column: @@distribute(tenant_id)"},
    {"multi-tenant child keyed by a copy of the tenant",
     TENANT ORDER "model Item {\n  tenant Tenant\n  order Order\n  id int64\n  @@id([tenant, id])\n  @@distribute(tenant)\n}\n",
     "13:3: Item.order: Order is distributed by tenant_id, and the foreign key must pair it with Item's own distribution "
     "column tenant_id, but it pairs it with order_tenant_id (Citus refuses it: \"cannot create foreign key "
     "constraint\"); declare the key over Item's column: `order Order @fk(tenant_id, order_id)` (declaring the other "
     "key fields yourself)"},
    {"unique field on a distributed model", TENANT "model U {\n  tenant Tenant\n  id int64\n  email text @unique\n"
     "  @@id([tenant, id])\n  @@distribute(tenant)\n}\n",
     "8:3: U is distributed by tenant_id, so 'email' cannot be @unique on its own (each shard checks its keys alone): "
     "use @@unique([tenant_id, email]) on the model"},
    {"unique key without the column", TENANT "model U {\n  tenant Tenant\n  id int64\n  email text\n"
     "  @@id([tenant, id])\n  @@unique([email])\n  @@distribute(tenant)\n}\n",
     "10:3: U is distributed by tenant_id, so the unique key us_email_key must include tenant_id (each shard checks "
     "its keys alone): use @@unique([tenant_id, email])"},
    {"local table pointing at a distributed one", TENANT "model Log {\n  id int64 @id\n  tenant Tenant\n}\n",
     "7:3: Log.tenant points at Tenant, which is distributed, but Log is local: Citus checks a foreign key into a "
     "distributed table only from a table distributed alongside it; @@distribute Log by the column that matches "
     "Tenant.id, or make Tenant @@reference"},
    {"reference table pointing at a distributed one", TENANT "model Plan {\n  code text @id\n  owner Tenant\n"
     "  @@reference\n}\n",
     "7:3: Plan.owner points at Tenant, which is distributed, but Plan is a reference table: Citus checks a foreign "
     "key into a distributed table only from a table distributed alongside it; @@distribute Plan by the column that "
     "matches Tenant.id, or make Tenant @@reference"},
    {"distributed table pointing at a local one", "model Country {\n  code text @id\n}\n" TENANT
     "model A {\n  tenant Tenant\n  id int64\n  country Country\n  @@id([tenant, id])\n  @@distribute(tenant)\n}\n",
     "11:3: A.country points at Country, which is local, but A is distributed: the referenced rows must be on every "
     "node that holds A's rows; make Country @@reference (or @@distribute it too)"},
    {"reference with arguments", "model C {\n  code text @id\n  @@reference(code)\n}\n",
     "3:3: @@reference takes no arguments: every node holds all of C's rows"},
    {"distributed and reference", "model C {\n  code text @id\n  @@reference\n  @@distribute(code)\n}\n",
     "4:3: C has @@reference already: a table is distributed one way"},
    {"colocated with a local model", "model L {\n  id int64 @id\n}\nmodel C {\n  id int64 @id\n"
     "  @@distribute(id, colocate_with: L)\n}\n",
     "6:3: colocate_with: L is local, not distributed: give it @@distribute(...) too, or leave colocate_with out"},
    {"distributed many-to-many without a join model", "model Tenant {\n  id int64 @id\n  tags Tag[]\n"
     "  @@distribute(id)\n}\nmodel Tag {\n  id int64 @id\n  tenants Tenant[]\n  @@reference\n}\n",
     "3:3: Tenant.tags: a many-to-many with a distributed side needs a join model you declare, distributed by the "
     "column its two keys share: a model with both to-ones, @@distribute(...) and `@through` on the lists"},
#undef TENANT
#undef ORDER
    /* @@id over relations: 2 x 9 key columns of A, more than a key can have (they were cut at 16) */
    {"@@id expands past the key limit",
     "model A {\n  a1 int64\n  a2 int64\n  a3 int64\n  a4 int64\n  a5 int64\n  a6 int64\n  a7 int64\n  a8 int64\n"
     "  a9 int64\n  @@id([a1, a2, a3, a4, a5, a6, a7, a8, a9])\n}\nmodel B {\n  x A\n  y A\n  @@id([x, y])\n}\n",
     "16:3: @@id of B covers 18 columns once its relations are expanded to their keys ('y' goes past 16); a primary "
     "key has at most 16 columns: use an @id @auto key and make these @@unique([...])"},
    /* @@schema("name"): one string, not empty, no control characters, at most 63 bytes, once */
    {"schema not a string", M("  @@schema(audit)\n"), "3:3: @@schema needs one string, the schema's name: @@schema(\"audit\")"},
    {"schema empty", M("  @@schema(\"\")\n"),
     "3:12: @@schema(\"\"): the schema name is empty; name the schema, or leave @@schema out for the connection's own (the search path's first)"},
    {"schema control character", M("  @@schema(\"a\\tb\")\n"),
     "3:12: @@schema(\"a\\x09b\"): the name holds the control character 0x09 (byte 2); names cannot contain control characters: remove it"},
    {"schema too long", M("  @@schema(\"s234567890123456789012345678901234567890123456789012345678901234\")\n"),
     "3:12: @@schema(\"s2345678901234567890...\"): the schema name has 64 bytes; PostgreSQL allows 63: use a shorter name"},
    {"schema twice", M("  @@schema(\"a\")\n  @@schema(\"b\")\n"), "4:3: User has @@schema already: a table lives in one schema"},
/* polymorphic relations (`target Post | Comment`): the targets, their keys, the attributes, the names made */
#define PT "model Post {\n  id int64 @id @auto\n}\nmodel Comment {\n  id int64 @id @auto\n}\n" \
           "model Pair {\n  a int64\n  b int64\n  @@id([a, b])\n}\n"
    {"poly unknown target", PT M("  target Post | Comnet\n"),
     "14:17: unknown model 'Comnet' in the polymorphic relation 'target'; did you mean 'Comment'?"},
    {"poly target twice", PT M("  target Post | Post\n"),
     "14:17: Post is listed twice in the polymorphic relation 'target'; list each target once"},
    {"poly scalar target", PT M("  target Post | text\n"),
     "14:17: 'text' in 'target Post | ...' is not a model: each target of a polymorphic relation is a model"},
    {"poly composite key target", PT M("  target Post | Pair\n"),
     "14:17: Pair has a primary key of several columns; each target of the polymorphic relation 'target' needs a "
     "single-column primary key (one nullable foreign-key column per target)"},
    {"poly with @unique", PT M("  target Post | Comment @unique\n"),
     "14:25: @unique does not apply to the polymorphic relation 'target': its targets' key fields are made by sinew "
     "(target_<target>_<key>), one nullable foreign key each; it takes @on_delete, @on_update and @no_index"},
    {"poly with @map", PT M("  target Post | Comment @map(\"x\")\n"),
     "14:25: @map does not apply to the polymorphic relation 'target': its targets' key fields are made by sinew "
     "(target_<target>_<key>), one nullable foreign key each; it takes @on_delete, @on_update and @no_index"},
    {"poly on_delete set_null", PT M("  target Post | Comment? @on_delete(set_null)\n"),
     "14:37: @on_delete(set_null) on the polymorphic relation 'target': the database would write the key its CHECK "
     "reads (MariaDB refuses that CHECK); use cascade, restrict or no_action"},
    {"poly as a list", PT M("  target Post | Comment[]\n"),
     "14:10: 'target' is a list of several models: a polymorphic relation is a to-one (to one of them); put the list "
     "in each target instead (`users User[]`)"},
    {"poly key field clash", PT M("  target Post | Comment\n  target_post_id int64\n"),
     "14:10: polymorphic relation 'target' makes the field 'target_post_id' for its target Post, but User already has "
     "a field of that name: rename one of them"},
    {"poly relation name clash", PT M("  target_post text\n  target Post | Comment\n"),
     "15:10: polymorphic relation 'target' makes the relation 'target_post' for its target Post, but User already has "
     "a field of that name: rename one of them"},
    {"poly name clash", PT M("  target Post | Comment\n  target text\n"), "14:3: duplicate field 'target' in model User"},
    {"poly missing target after |", PT M("  target Post |\n"),
     "15:1: expected a model name after '|' in the type of 'target'"},
    {"poly on_update cascade", PT M("  target Post | Comment @on_update(cascade)\n"),
     "14:36: @on_update(cascade) on the polymorphic relation 'target': the database would write the key its CHECK "
     "reads (MariaDB refuses that CHECK); use restrict or no_action"},
#undef PT
};
