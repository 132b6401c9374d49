"""sqlalchemy_peer.py - W1, W3, W4, W5 through SQLAlchemy's ORM (1.4, 2.0-style
Session and select()), on the same SQLite file and table as sinew's benchmark."""
import sqlalchemy
from sqlalchemy import Column, Integer, String, create_engine, event, select, text
from sqlalchemy.orm import Session, declarative_base

import common

Base = declarative_base()


class User(Base):
    __tablename__ = "users"
    id = Column(Integer, primary_key=True)
    name = Column(String, nullable=False)
    email = Column(String, nullable=False)
    age = Column(Integer, nullable=False)


opt = common.args()
# a pool that keeps its connection (1.4 opens a new one per checkout on a file,
# SQLAlchemy 2.0's default is this pool): a long-running program's setting
engine = create_engine("sqlite:///" + opt["db"], future=True, poolclass=sqlalchemy.pool.QueuePool)


@event.listens_for(engine, "connect")
def pragmas(dbapi_conn, _record):
    # the settings sinew's SQLite driver makes on a file
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode = WAL")
    cur.execute("PRAGMA synchronous = NORMAL")
    cur.execute("PRAGMA foreign_keys = ON")
    cur.close()


with engine.begin() as c:
    c.execute(text(common.DDL))

w5 = {}


def setup(kind):
    with engine.begin() as c:
        for sql in common.CLEAR:
            c.execute(text(sql))
        if kind == "users":
            c.execute(text(common.fill_sql(common.N_USERS)))
        elif kind == "w5":
            c.execute(text(common.fill_sql(common.N_UPDATES)))
    if kind == "w5":
        # the loaded objects stay in their session, as sinew's W5 keeps its own
        if "s" in w5:
            w5["s"].close()
        s = Session(engine, expire_on_commit=False)
        w5["s"], w5["users"] = s, s.execute(select(User)).scalars().all()
        s.commit()


def w1():
    # a unit of work: the objects are added, the flush at commit writes them
    # (SQLAlchemy 1.4 on SQLite: one INSERT per row, to read each key back)
    with Session(engine) as s, s.begin():
        users = []
        for i in range(common.N_USERS):
            u = User(name="user%d" % i, email="user%d@example.com" % i, age=i % 90)
            s.add(u)
            users.append(u)
        s.flush()
        total = sum(u.id for u in users)
    return total


def w3():
    with Session(engine) as s:
        users = s.execute(select(User)).scalars().all()
        return sum(u.age + len(u.email) for u in users)


def w4():
    total, s = 0, None
    for i, k in enumerate(common.keys(common.N_GETS, common.N_USERS)):
        if i % 100 == 0:
            if s:
                s.close()
            s = Session(engine)
        u = s.get(User, k)
        total += u.age + len(u.name)
    s.close()
    return total


def w5_run():
    s, total = w5["s"], 0
    # a unit of work again: the changed objects are written by the flush at commit
    with s.begin():
        for u in w5["users"]:
            u.age = (u.age + 1) % 100
            total += u.age
    return total


common.run("SQLAlchemy", sqlalchemy.__version__,
           [("W1", "empty", w1), ("W3", "users", w3), ("W4", "users", w4), ("W5", "w5", w5_run)], setup, opt)
