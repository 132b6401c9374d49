// common.js - what the JavaScript peers of bench/peers share: the sizes, the
// untimed setup SQL (the same text as bench/workloads.c, run on a plain
// better-sqlite3 connection of its own), W4's key sequence, timing, and the
// result lines run.sh collects. The ORM code is in each peer's own file.
'use strict';
const Database = require('better-sqlite3');

const DDL = 'CREATE TABLE IF NOT EXISTS "users" ("id" INTEGER PRIMARY KEY AUTOINCREMENT, ' +
  '"name" TEXT NOT NULL, "email" TEXT NOT NULL, "age" INTEGER NOT NULL)';

function args() {
  const a = process.argv.slice(2);
  const opt = { db: null, rounds: 3, quick: false, only: null };
  for (let i = 0; i < a.length; i++) {
    if (a[i] === '--quick') opt.quick = true;
    else if (['--db', '--rounds', '--only'].includes(a[i]) && i + 1 < a.length) opt[a[i].slice(2)] = a[++i];
    else { console.error(`usage: ${process.argv[1]} --db PATH [--rounds N] [--quick] [--only W1,W3]`); process.exit(2); }
  }
  if (!opt.db) { console.error(`${process.argv[1]}: --db PATH is required`); process.exit(2); }
  opt.rounds = opt.quick ? 1 : Number(opt.rounds);
  opt.only = opt.only ? opt.only.split(',') : null;
  opt.n = opt.quick ? { users: 300, gets: 200, updates: 200 } : { users: 100000, gets: 10000, updates: 10000 };
  return opt;
}

function fillSql(n) {
  return `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ${n}) ` +
    "INSERT INTO users (id, name, email, age) SELECT x, 'user' || x, 'user' || x || '@example.com', x % 90 FROM c";
}

// the database file made and the setups run outside the ORM under test
function setupConnection(path) {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.exec(DDL);
  return {
    sqliteVersion: db.prepare('SELECT sqlite_version() AS v').get().v,
    prepare(kind, n) {
      db.exec('BEGIN; DELETE FROM users; DELETE FROM sqlite_sequence;');
      if (kind === 'users') db.exec(fillSql(n.users));
      if (kind === 'w5') db.exec(fillSql(n.updates));
      db.exec('COMMIT');
    },
    close() { db.close(); },
  };
}

// W4's keys: the xorshift32 sequence of bench/workloads.c, 1-based
function keys(nGets, nUsers) {
  const out = new Array(nGets);
  let x = 2463534242;
  for (let i = 0; i < nGets; i++) {
    x = (x ^ (x << 13)) >>> 0;
    x = (x ^ (x >>> 17)) >>> 0;
    x = (x ^ (x << 5)) >>> 0;
    out[i] = (x % nUsers) + 1;
  }
  return out;
}

// workloads: [[id, setupKind, async fn() -> checksum]]; beforeEach(kind) runs untimed after the setup SQL
// sqliteVersion: the SQLite the ORM runs on (default: better-sqlite3's, which the setups use too)
async function run(peer, version, opt, workloads, beforeEach, sqliteVersion) {
  const setup = setupConnection(opt.db);
  console.log(`VERSION ${peer} ${version} ${sqliteVersion || setup.sqliteVersion}`);
  for (const [id, kind, fn] of workloads) {
    if (opt.only && !opt.only.includes(id)) continue;
    if (!opt.quick) {
      // one untimed run at a tenth of the size first: what a long-running
      // program has already paid (the JIT's warm-up, statement caches)
      const sizes = { ...opt.n };
      for (const k of Object.keys(opt.n)) opt.n[k] = Math.floor(sizes[k] / 10);
      setup.prepare(kind, opt.n);
      if (beforeEach) await beforeEach(kind);
      await fn();
      Object.assign(opt.n, sizes);
    }
    for (let r = 0; r < opt.rounds; r++) {
      setup.prepare(kind, opt.n);
      if (beforeEach) await beforeEach(kind);
      const t0 = process.hrtime.bigint();
      const sum = await fn();
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      console.log(`RESULT ${peer} ${id} ${r} ${ms.toFixed(2)} ${sum}`);
    }
  }
  setup.close();
}

// an installed package's version, read from its package.json (some packages do not export that file)
function version(pkg) {
  const fs = require('fs');
  const path = require('path');
  for (const dir of [...(process.env.NODE_PATH || '').split(path.delimiter), ...module.paths]) {
    const file = path.join(dir, pkg, 'package.json');
    if (dir && fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8')).version;
  }
  return '?';
}

module.exports = { DDL, args, keys, run, setupConnection, version };
