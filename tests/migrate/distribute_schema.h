/* The multi-tenant shop of docs/schema.md ("Distributed tables"), for tests/migrate/test_distribute.c
 * (every backend: the attributes do nothing there) and tests/pool/test_citus.c (the cluster). */
#ifndef SINEW_TEST_DISTRIBUTE_SCHEMA_H
#define SINEW_TEST_DISTRIBUTE_SCHEMA_H

static const char *const shop_schema =
    "model Tenant {\n  id int64 @id\n  name text\n  @@distribute(id)\n}\n"
    "model Order {\n  tenant Tenant\n  id int64\n  @@id([tenant, id])\n  @@distribute(tenant)\n}\n"
    "model Item {\n  tenant_id int64\n  order_id int64\n  order Order @fk(tenant_id, order_id)\n  id int64\n"
    "  sku text\n  country Country\n  @@id([tenant_id, id])\n  @@unique([tenant_id, sku])\n"
    "  @@distribute(tenant_id, colocate_with: Order)\n}\n"
    "model Country {\n  code text @id\n  @@reference\n}\n";

#endif
