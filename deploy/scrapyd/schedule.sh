#!/bin/sh
# The Scrapyd calls of a cluster crawl, as curl lines, and the yingji cluster equivalents.
# Nodes, database and paths are examples; paths are paths ON THE NODES.
set -eu
NODES="http://h1:6800,http://h2:6800"
DB="postgresql+psycopg://yingji:secret@db.internal/yingji"

# 1. Deploy the project egg to every node (from a checkout of yingji) ...
yingji cluster deploy --nodes "$NODES"
# ... which is what these do (scrapyd-deploy builds the same egg with a [deploy:NAME] target
# per node in scrapy.cfg: `scrapyd-deploy h1` …):
#   python -c 'from setuptools import setup; setup()' bdist_egg --dist-dir dist
#   curl http://h1:6800/addversion.json -F project=yingji -F version=$(date +%s) -F egg=@dist/yingji-0.1.0-py3.11.egg

# 2. Schedule 4 shards round-robin over the nodes, every shard writing to one PostgreSQL;
#    --wait watches them and then checks each shard's run (exit 3 on a regression).
yingji cluster schedule --nodes "$NODES" --shards 4 --database "$DB" \
    --seeds /srv/yingji/seeds.csv --jobdir /var/lib/scrapyd/yingji-jobs --wait
# Print the same schedule.json calls as curl lines instead of making them:
#   yingji cluster schedule --nodes "$NODES" --shards 4 --database "$DB" \
#       --seeds /srv/yingji/seeds.csv --jobdir /var/lib/scrapyd/yingji-jobs --dry-run
# One of them, shortened (the dry run adds the cache and resume settings):
#   curl http://h1:6800/schedule.json --data-urlencode project=yingji --data-urlencode spider=yingji \
#       --data-urlencode shard=1/4 --data-urlencode seeds=/srv/yingji/seeds.csv \
#       --data-urlencode "setting=DATABASE_URL=$DB" \
#       --data-urlencode setting=JOBDIR=/var/lib/scrapyd/yingji-jobs/shard-1-of-4

# 3. Watch: the jobs of every node (listjobs.json), and what the runs stored.
yingji cluster status --nodes "$NODES"
#   curl "http://h1:6800/listjobs.json?project=yingji"
#   yingji runs --database "$DB"
