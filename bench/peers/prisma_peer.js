// prisma_peer.js - W1, W3, W4, W5 through Prisma Client (7, with its
// better-sqlite3 driver adapter, which Prisma 7 requires for SQLite): create,
// findMany, findUnique, update, the writes inside an interactive transaction.
'use strict';
const path = require('path');
const { PrismaBetterSqlite3 } = require('@prisma/adapter-better-sqlite3');
const common = require('./common');

async function main() {
  const opt = common.args();
  const { PrismaClient } = require(path.resolve(process.env.PEERS_BUILD || '.', 'prisma-client'));
  common.setupConnection(opt.db).close();   // the file and its table (in WAL mode, which the file keeps)
  const prisma = new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: `file:${opt.db}` }) });
  // the settings sinew's SQLite driver makes on a file
  await prisma.$queryRawUnsafe('PRAGMA synchronous = NORMAL');
  await prisma.$queryRawUnsafe('PRAGMA foreign_keys = ON');
  const n = opt.n;
  const tx = { timeout: 3600e3, maxWait: 60e3 };   // W1 runs 100,000 statements in one
  let loaded = null;

  await common.run('Prisma', common.version('@prisma/client'), opt, [
    ['W1', 'empty', () => prisma.$transaction(async (t) => {
      let sum = 0;
      for (let i = 0; i < n.users; i++) {
        const u = await t.user.create({ data: { name: `user${i}`, email: `user${i}@example.com`, age: i % 90 } });
        sum += u.id;
      }
      return sum;
    }, tx)],
    ['W3', 'users', async () => {
      let sum = 0;
      for (const u of await prisma.user.findMany()) sum += u.age + u.email.length;
      return sum;
    }],
    ['W4', 'users', async () => {
      let sum = 0;
      for (const k of common.keys(n.gets, n.users)) {
        const u = await prisma.user.findUnique({ where: { id: k } });
        sum += u.age + u.name.length;
      }
      return sum;
    }],
    ['W5', 'w5', () => prisma.$transaction(async (t) => {
      let sum = 0;
      for (const u of loaded) {
        u.age = (u.age + 1) % 100;
        await t.user.update({ where: { id: u.id }, data: { age: u.age } });
        sum += u.age;
      }
      return sum;
    }, tx)],
  ], async (kind) => { if (kind === 'w5') loaded = await prisma.user.findMany(); });
  await prisma.$disconnect();
}

main().catch((e) => { console.error(e); process.exit(1); });
