# activerecord_peer.rb - W1, W3, W4, W5 through Active Record (create!, all,
# find, save, transaction) on the table sinew's benchmark makes.
require "active_record"

N = { users: 100_000, gets: 10_000, updates: 10_000 }
opt = { rounds: 3, quick: false, only: nil, db: nil }
args = ARGV.dup
until args.empty?
  a = args.shift
  case a
  when "--quick" then opt[:quick] = true
  when "--db" then opt[:db] = args.shift
  when "--rounds" then opt[:rounds] = Integer(args.shift)
  when "--only" then opt[:only] = args.shift.split(",")
  else abort "usage: #{$0} --db PATH [--rounds N] [--quick] [--only W1,W3]"
  end
end
abort "#{$0}: --db PATH is required" unless opt[:db]
if opt[:quick]
  opt[:rounds] = 1
  N.merge!(users: 300, gets: 200, updates: 200)
end

ActiveRecord::Base.establish_connection(adapter: "sqlite3", database: opt[:db])
conn = ActiveRecord::Base.connection
# the settings sinew's SQLite driver makes on a file
conn.execute("PRAGMA journal_mode = WAL")
conn.execute("PRAGMA synchronous = NORMAL")
conn.execute('CREATE TABLE IF NOT EXISTS "users" ("id" INTEGER PRIMARY KEY AUTOINCREMENT, ' \
             '"name" TEXT NOT NULL, "email" TEXT NOT NULL, "age" INTEGER NOT NULL)')

class User < ActiveRecord::Base
  self.table_name = "users"
end

def fill_sql(n)
  "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < #{n}) " \
  "INSERT INTO users (id, name, email, age) SELECT x, 'user' || x, 'user' || x || '@example.com', x % 90 FROM c"
end

# W4's keys: the xorshift32 sequence of bench/workloads.c, 1-based
def keys(n_gets, n_users)
  x = 2_463_534_242
  Array.new(n_gets) do
    x ^= (x << 13) & 0xFFFFFFFF
    x ^= x >> 17
    x ^= (x << 5) & 0xFFFFFFFF
    x % n_users + 1
  end
end

loaded = nil
setup = lambda do |kind|
  User.transaction do
    conn.execute("DELETE FROM users")
    conn.execute("DELETE FROM sqlite_sequence")
    conn.execute(fill_sql(N[:users])) if kind == :users
    conn.execute(fill_sql(N[:updates])) if kind == :w5
  end
  loaded = User.all.to_a if kind == :w5
end

workloads = [
  ["W1", :empty, lambda do
    total = 0
    User.transaction do
      N[:users].times { |i| total += User.create!(name: "user#{i}", email: "user#{i}@example.com", age: i % 90).id }
    end
    total
  end],
  ["W3", :users, -> { User.all.to_a.sum { |u| u.age + u.email.length } }],
  ["W4", :users, lambda do
    keys(N[:gets], N[:users]).sum { |k| u = User.find(k); u.age + u.name.length }
  end],
  ["W5", :w5, lambda do
    total = 0
    User.transaction do
      loaded.each do |u|
        u.age = (u.age + 1) % 100
        u.save!
        total += u.age
      end
    end
    total
  end],
]

puts "VERSION ActiveRecord #{ActiveRecord::VERSION::STRING} #{conn.select_value("SELECT sqlite_version()")}"
$stdout.flush
workloads.each do |id, kind, fn|
  next if opt[:only] && !opt[:only].include?(id)
  unless opt[:quick]
    # one untimed run at a tenth of the size first: what a long-running
    # program has already paid (statement caches, attribute methods)
    sizes = N.dup
    N.transform_values! { |v| v / 10 }
    setup.call(kind)
    fn.call
    N.merge!(sizes)
  end
  opt[:rounds].times do |r|
    setup.call(kind)
    t0 = Process.clock_gettime(Process::CLOCK_MONOTONIC)
    sum = fn.call
    ms = (Process.clock_gettime(Process::CLOCK_MONOTONIC) - t0) * 1e3
    puts format("RESULT ActiveRecord %s %d %.2f %d", id, r, ms, sum)
    $stdout.flush
  end
end
