// drizzle_peer.js - W1, W3, W4, W5 through Drizzle ORM on better-sqlite3, every
// statement a prepared query (.prepare() with sql.placeholder), the fastest
// form Drizzle documents; transactions through db.transaction.
'use strict';
const Database = require('better-sqlite3');
const { drizzle } = require('drizzle-orm/better-sqlite3');
const { sqliteTable, integer, text } = require('drizzle-orm/sqlite-core');
const { eq, sql } = require('drizzle-orm');
const common = require('./common');

const users = sqliteTable('users', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull(),
  email: text('email').notNull(),
  age: integer('age').notNull(),
});

async function main() {
  const opt = common.args();
  common.setupConnection(opt.db).close();   // the file and its table
  const client = new Database(opt.db);
  // the settings sinew's SQLite driver makes on a file
  client.pragma('journal_mode = WAL');
  client.pragma('synchronous = NORMAL');
  client.pragma('foreign_keys = ON');
  const db = drizzle({ client });
  const n = opt.n;

  const insertUser = db.insert(users)
    .values({ name: sql.placeholder('name'), email: sql.placeholder('email'), age: sql.placeholder('age') })
    .returning({ id: users.id }).prepare();
  const allUsers = db.select().from(users).prepare();
  const userById = db.select().from(users).where(eq(users.id, sql.placeholder('id'))).prepare();
  const setAge = db.update(users).set({ age: sql.placeholder('age') }).where(eq(users.id, sql.placeholder('id'))).prepare();
  let loaded = null;

  await common.run('Drizzle', common.version('drizzle-orm'), opt, [
    ['W1', 'empty', () => db.transaction(() => {
      let sum = 0;
      for (let i = 0; i < n.users; i++) {
        const u = { name: `user${i}`, email: `user${i}@example.com`, age: i % 90 };
        u.id = insertUser.get(u).id;
        sum += u.id;
      }
      return sum;
    })],
    ['W3', 'users', () => {
      let sum = 0;
      for (const u of allUsers.all()) sum += u.age + u.email.length;
      return sum;
    }],
    ['W4', 'users', () => {
      let sum = 0;
      for (const k of common.keys(n.gets, n.users)) {
        const u = userById.get({ id: k });
        sum += u.age + u.name.length;
      }
      return sum;
    }],
    ['W5', 'w5', () => db.transaction(() => {
      let sum = 0;
      for (const u of loaded) {
        u.age = (u.age + 1) % 100;
        setAge.run({ age: u.age, id: u.id });
        sum += u.age;
      }
      return sum;
    })],
  ], (kind) => { if (kind === 'w5') loaded = allUsers.all(); });
  client.close();
}

main().catch((e) => { console.error(e); process.exit(1); });
