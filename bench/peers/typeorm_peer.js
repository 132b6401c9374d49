// typeorm_peer.js - W1, W3, W4, W5 through TypeORM's DataSource on its
// better-sqlite3 driver: an EntitySchema (the decorator-free form for plain
// JavaScript), repository find/findOneBy, save inside dataSource.transaction.
'use strict';
require('reflect-metadata');
const { DataSource, EntitySchema } = require('typeorm');
const common = require('./common');

const User = new EntitySchema({
  name: 'User',
  tableName: 'users',
  columns: {
    id: { type: 'integer', primary: true, generated: 'increment' },
    name: { type: 'text' },
    email: { type: 'text' },
    age: { type: 'integer' },
  },
});

async function main() {
  const opt = common.args();
  common.setupConnection(opt.db).close();   // the file and its table
  const ds = new DataSource({
    type: 'better-sqlite3',
    database: opt.db,
    entities: [User],
    synchronize: false,
    logging: false,
    // the settings sinew's SQLite driver makes on a file
    enableWAL: true,
    prepareDatabase: (db) => { db.pragma('synchronous = NORMAL'); db.pragma('foreign_keys = ON'); },
  });
  await ds.initialize();
  const repo = ds.getRepository(User);
  const n = opt.n;
  let loaded = null;

  await common.run('TypeORM', common.version('typeorm'), opt, [
    ['W1', 'empty', () => ds.transaction(async (m) => {
      let sum = 0;
      for (let i = 0; i < n.users; i++) {
        const u = m.create(User, { name: `user${i}`, email: `user${i}@example.com`, age: i % 90 });
        await m.save(User, u);
        sum += u.id;
      }
      return sum;
    })],
    ['W3', 'users', async () => {
      let sum = 0;
      for (const u of await repo.find()) sum += u.age + u.email.length;
      return sum;
    }],
    ['W4', 'users', async () => {
      let sum = 0;
      for (const k of common.keys(n.gets, n.users)) {
        const u = await repo.findOneBy({ id: k });
        sum += u.age + u.name.length;
      }
      return sum;
    }],
    ['W5', 'w5', () => ds.transaction(async (m) => {
      let sum = 0;
      for (const u of loaded) {
        u.age = (u.age + 1) % 100;
        await m.save(User, u);
        sum += u.age;
      }
      return sum;
    })],
  ], async (kind) => { if (kind === 'w5') loaded = await repo.find(); });
  await ds.destroy();
}

main().catch((e) => { console.error(e); process.exit(1); });
