// mikroorm_peer.js - W1, W3, W4, W5 through MikroORM (6, its better-sqlite
// driver): an EntitySchema, a forked EntityManager per unit of work (W4: a
// fresh one every 100 gets, as sinew's benchmark makes a fresh session), and
// the unit of work's flush: W1 and W5 create or change the objects and then
// call em.flush() once (one transaction), which is how MikroORM writes (its
// flush batches the statements; compare sinew's W9/W10, one flush, too).
'use strict';
const { MikroORM, EntitySchema } = require('@mikro-orm/better-sqlite');
const common = require('./common');

class User {}
const UserSchema = new EntitySchema({
  class: User,
  tableName: 'users',
  properties: {
    id: { type: 'number', primary: true, autoincrement: true },
    name: { type: 'string', columnType: 'text' },
    email: { type: 'string', columnType: 'text' },
    age: { type: 'number' },
  },
});

async function main() {
  const opt = common.args();
  common.setupConnection(opt.db).close();   // the file and its table (in WAL mode, which the file keeps)
  const orm = await MikroORM.init({
    dbName: opt.db,
    entities: [UserSchema],
    debug: false,
    // the settings sinew's SQLite driver makes on a file
    pool: { afterCreate: (conn, done) => { conn.pragma('synchronous = NORMAL'); conn.pragma('foreign_keys = ON'); done(null, conn); } },
  });
  const n = opt.n;
  let w5 = null;

  await common.run('MikroORM', common.version('@mikro-orm/core'), opt, [
    ['W1', 'empty', async () => {
      const made = [];
      const em = orm.em.fork();
      for (let i = 0; i < n.users; i++) made.push(em.create(User, { name: `user${i}`, email: `user${i}@example.com`, age: i % 90 }));
      await em.flush();   // one transaction
      let sum = 0;
      for (const u of made) sum += u.id;
      return sum;
    }],
    ['W3', 'users', async () => {
      let sum = 0;
      for (const u of await orm.em.fork().find(User, {})) sum += u.age + u.email.length;
      return sum;
    }],
    ['W4', 'users', async () => {
      let sum = 0, em = null, i = 0;
      for (const k of common.keys(n.gets, n.users)) {
        if (i++ % 100 === 0) em = orm.em.fork();
        const u = await em.findOneOrFail(User, k);
        sum += u.age + u.name.length;
      }
      return sum;
    }],
    ['W5', 'w5', async () => {
      let sum = 0;
      for (const u of w5.users) {
        u.age = (u.age + 1) % 100;
        sum += u.age;
      }
      await w5.em.flush();   // one transaction
      return sum;
    }],
  ], async (kind) => {
    if (kind !== 'w5') return;
    const em = orm.em.fork();
    w5 = { em, users: await em.find(User, {}) };
  });
  await orm.close(true);
}

main().catch((e) => { console.error(e); process.exit(1); });
