"""django_peer.py - W1, W3, W4, W5 through Django's ORM (models, managers,
transaction.atomic), standalone: settings configured in code, one model on the
table sinew's benchmark makes."""
import django
from django.conf import settings

import common

opt = common.args()
settings.configure(
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": opt["db"]}},
    INSTALLED_APPS=[],
    USE_TZ=True,
)
django.setup()

from django.db import connection, models, transaction  # noqa: E402  (after setup, as Django requires)
from django.db.backends.signals import connection_created  # noqa: E402


def pragmas(sender, connection, **kwargs):
    # the settings sinew's SQLite driver makes on a file
    with connection.cursor() as c:
        c.execute("PRAGMA journal_mode = WAL")
        c.execute("PRAGMA synchronous = NORMAL")


connection_created.connect(pragmas)


class User(models.Model):
    id = models.AutoField(primary_key=True)
    name = models.TextField()
    email = models.TextField()
    age = models.IntegerField()

    class Meta:
        app_label = "peers"
        db_table = "users"
        managed = False


with connection.cursor() as c:
    c.execute(common.DDL)

w5 = {}


def setup(kind):
    with transaction.atomic(), connection.cursor() as c:
        for sql in common.CLEAR:
            c.execute(sql)
        if kind == "users":
            c.execute(common.fill_sql(common.N_USERS))
        elif kind == "w5":
            c.execute(common.fill_sql(common.N_UPDATES))
    if kind == "w5":
        w5["users"] = list(User.objects.all())


def w1():
    total = 0
    with transaction.atomic():
        for i in range(common.N_USERS):
            u = User.objects.create(name="user%d" % i, email="user%d@example.com" % i, age=i % 90)
            total += u.id
    return total


def w3():
    return sum(u.age + len(u.email) for u in User.objects.all())


def w4():
    total = 0
    for k in common.keys(common.N_GETS, common.N_USERS):
        u = User.objects.get(pk=k)
        total += u.age + len(u.name)
    return total


def w5_run():
    total = 0
    with transaction.atomic():
        for u in w5["users"]:
            u.age = (u.age + 1) % 100
            u.save(update_fields=["age"])   # the documented way to write one changed field
            total += u.age
    return total


common.run("Django", django.get_version(),
           [("W1", "empty", w1), ("W3", "users", w3), ("W4", "users", w4), ("W5", "w5", w5_run)], setup, opt)
