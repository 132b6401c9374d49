"""peewee_peer.py - W1, W3, W4, W5 through peewee's models (create, select,
get_by_id, save with only_save_dirty, db.atomic) on the table sinew's benchmark makes."""
import peewee
from peewee import AutoField, IntegerField, Model, SqliteDatabase, TextField

import common

opt = common.args()
# the settings sinew's SQLite driver makes on a file
db = SqliteDatabase(opt["db"], pragmas={"journal_mode": "wal", "synchronous": "normal", "foreign_keys": 1})


class User(Model):
    id = AutoField()
    name = TextField()
    email = TextField()
    age = IntegerField()

    class Meta:
        database = db
        table_name = "users"
        only_save_dirty = True   # save() writes the changed fields only


db.connect()
db.execute_sql(common.DDL)
w5 = {}


def setup(kind):
    with db.atomic():
        for sql in common.CLEAR:
            db.execute_sql(sql)
        if kind == "users":
            db.execute_sql(common.fill_sql(common.N_USERS))
        elif kind == "w5":
            db.execute_sql(common.fill_sql(common.N_UPDATES))
    if kind == "w5":
        w5["users"] = list(User.select())


def w1():
    total = 0
    with db.atomic():
        for i in range(common.N_USERS):
            u = User.create(name="user%d" % i, email="user%d@example.com" % i, age=i % 90)
            total += u.id
    return total


def w3():
    return sum(u.age + len(u.email) for u in User.select())


def w4():
    total = 0
    for k in common.keys(common.N_GETS, common.N_USERS):
        u = User.get_by_id(k)
        total += u.age + len(u.name)
    return total


def w5_run():
    total = 0
    with db.atomic():
        for u in w5["users"]:
            u.age = (u.age + 1) % 100
            u.save()
            total += u.age
    return total


common.run("peewee", peewee.__version__,
           [("W1", "empty", w1), ("W3", "users", w3), ("W4", "users", w4), ("W5", "w5", w5_run)], setup, opt)
