"""Report whether the test services answer: prints 'postgres=yes|no redis=yes|no'."""

import os
import sys

import dj_database_url
import psycopg
import redis


def postgres_ok(url: str) -> bool:
    config = dj_database_url.parse(url)
    try:
        psycopg.connect(
            host=config["HOST"] or None,
            port=config["PORT"] or None,
            user=config["USER"] or None,
            password=config["PASSWORD"] or None,
            dbname="postgres",
            connect_timeout=3,
        ).close()
    except psycopg.Error as error:
        print(f"PostgreSQL at {config['HOST']}:{config['PORT']}: {error}".strip(), file=sys.stderr)
        return False
    return True


def redis_ok(url: str) -> bool:
    try:
        redis.Redis.from_url(url, socket_connect_timeout=3).ping()
    except redis.RedisError as error:
        print(f"Redis at {url}: {error}", file=sys.stderr)
        return False
    return True


if __name__ == "__main__":
    pg = postgres_ok(os.environ["DATABASE_URL"])
    rd = redis_ok(os.environ["TEST_REDIS_URL"])
    print(f"postgres={'yes' if pg else 'no'} redis={'yes' if rd else 'no'}")
