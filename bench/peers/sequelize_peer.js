// sequelize_peer.js - W1, W3, W4, W5 through Sequelize's models on its SQLite
// dialect (node-sqlite3): create, findAll, findByPk, instance save, all inside
// managed transactions (sequelize.transaction(async (t) => ...)).
'use strict';
const { Sequelize, DataTypes } = require('sequelize');
const common = require('./common');

async function main() {
  const opt = common.args();
  common.setupConnection(opt.db).close();   // the file and its table (in WAL mode, which the file keeps)
  const sequelize = new Sequelize({ dialect: 'sqlite', storage: opt.db, logging: false });
  // the settings sinew's SQLite driver makes, on every connection Sequelize opens
  sequelize.addHook('afterConnect', (conn) => new Promise((resolve, reject) =>
    conn.exec('PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON', (e) => (e ? reject(e) : resolve()))));
  const User = sequelize.define('User', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    name: { type: DataTypes.TEXT, allowNull: false },
    email: { type: DataTypes.TEXT, allowNull: false },
    age: { type: DataTypes.INTEGER, allowNull: false },
  }, { tableName: 'users', timestamps: false });
  await sequelize.authenticate();
  const n = opt.n;
  let loaded = null;

  await common.run('Sequelize', common.version('sequelize'), opt, [
    ['W1', 'empty', () => sequelize.transaction(async (transaction) => {
      let sum = 0;
      for (let i = 0; i < n.users; i++) {
        const u = await User.create({ name: `user${i}`, email: `user${i}@example.com`, age: i % 90 }, { transaction });
        sum += u.id;
      }
      return sum;
    })],
    ['W3', 'users', async () => {
      let sum = 0;
      for (const u of await User.findAll()) sum += u.age + u.email.length;
      return sum;
    }],
    ['W4', 'users', async () => {
      let sum = 0;
      for (const k of common.keys(n.gets, n.users)) {
        const u = await User.findByPk(k);
        sum += u.age + u.name.length;
      }
      return sum;
    }],
    ['W5', 'w5', () => sequelize.transaction(async (transaction) => {
      let sum = 0;
      for (const u of loaded) {
        u.age = (u.age + 1) % 100;
        await u.save({ transaction });
        sum += u.age;
      }
      return sum;
    })],
  ], async (kind) => { if (kind === 'w5') loaded = await User.findAll(); },
  (await sequelize.query('SELECT sqlite_version() AS v', { plain: true })).v);   // node-sqlite3's own SQLite
  await sequelize.close();
}

main().catch((e) => { console.error(e); process.exit(1); });
