#!/bin/sh
# No SQL is written in the ORM: every statement is described there and
# rendered by src/sql (sql/ir.h). This fails, naming file and line, when a
# C string literal in the given directory (src/orm) holds SQL syntax.
# Error messages may name a keyword (HAVING terms, JOIN loading); what is
# looked for is the way statements are written: a literal that starts with
# a clause keyword, or holds a keyword pair no message uses.
dir=${1:?usage: check_orm_sql.sh <dir>}
ls "$dir"/*.c >/dev/null 2>&1 || { echo "check_orm_sql: no C files in $dir" >&2; exit 2; }
found=$(grep -n -o '"\([^"\\]\|\\.\)*"' "$dir"/*.c |
  grep -E '"[ (]*(SELECT|FROM|WHERE|JOIN|LEFT JOIN|ORDER BY|GROUP BY|HAVING|LIMIT|OFFSET|VALUES|RETURNING|DISTINCT|COPY|WITH|BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b|SELECT |INSERT INTO|DELETE FROM|UPDATE [^:]| WHERE | FROM |ORDER BY|GROUP BY|LIMIT |LEFT JOIN|RETURNING|ON CONFLICT|DO NOTHING|DO UPDATE|DEFAULT VALUES| VALUES \(|SAVEPOINT|ROLLBACK|COMMIT"|BEGIN"')
if [ -n "$found" ]; then
  echo "SQL written in string literals of $dir (describe the statement and render it in src/sql, see src/sql/ir.h):"
  echo "$found"
  exit 1
fi
echo "no SQL in the string literals of $dir"
