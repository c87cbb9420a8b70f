#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Lay out the workload tree ($1) the way the official images are laid out: a site for nginx
# and for python's http.server, an app directory for the sqlite app, the entrypoints that as
# root chown the data directory and drop to the service user with gosu (redis, postgres).
set -eu
r=$1
mkdir -p "$r/srv/www" "$r/app" "$r/data" "$r/var/lib/postgresql/data" "$r/usr/local/bin"
echo 'hello from hardshim workloads' >"$r/srv/www/index.html"
cp "$r/srv/www/index.html" "$r/var/www/html/index.html"
chroot "$r" chown redis:redis /data
chroot "$r" chown postgres:postgres /var/lib/postgresql/data
chmod 0700 "$r/var/lib/postgresql/data"
# as the official postgres image: the socket and lock directory is in the image, postgres'.
# Nothing else stays in /run (image.sh skips mmdebstrap's own emptying of it for this).
find "$r/run" -mindepth 1 -maxdepth 1 ! -name lock -exec rm -rf '{}' +
mkdir -p "$r/run/postgresql"
chroot "$r" chown postgres:postgres /run/postgresql
chmod 3777 "$r/run/postgresql"
# nginx as the official image runs it: in the foreground, logs to stdout/stderr.
sed -i -e 's#access_log .*#access_log /dev/stdout;#' -e 's#error_log .*#error_log stderr;#' \
	"$r/etc/nginx/nginx.conf"
sed -i '1i daemon off;' "$r/etc/nginx/nginx.conf"
# The unprivileged nginx (nginxinc/nginx-unprivileged): port 8080, pid and temp files in /tmp.
sed -e 's#^pid .*#pid /tmp/nginx.pid;#' -e 's#^user .*##' \
	-e 's#http {#http {\n\tclient_body_temp_path /tmp/client_temp;\n\tproxy_temp_path /tmp/proxy_temp;\n\tfastcgi_temp_path /tmp/fastcgi_temp;\n\tuwsgi_temp_path /tmp/uwsgi_temp;\n\tscgi_temp_path /tmp/scgi_temp;#' \
	"$r/etc/nginx/nginx.conf" >"$r/etc/nginx/nginx-unprivileged.conf"
sed -i 's#listen 80 default_server;#listen 8080 default_server;#; s#listen \[::\]:80 default_server;##' \
	"$r/etc/nginx/sites-available/default"
cp "$r/etc/nginx/sites-available/default" "$r/etc/nginx/sites-available/default-80"
sed -i 's#listen 8080 default_server;#listen 80 default_server;#' "$r/etc/nginx/sites-available/default-80"
ln -sf /etc/nginx/sites-available/default-80 "$r/etc/nginx/sites-enabled/default"
sed -i 's#include /etc/nginx/sites-enabled/\*;#include /etc/nginx/sites-available/default;#' \
	"$r/etc/nginx/nginx-unprivileged.conf"

cat >"$r/usr/local/bin/redis-entrypoint.sh" <<'E'
#!/bin/sh
# as docker-library/redis: as root, own /data and drop to redis
set -e
if [ "$(id -u)" = 0 ]; then
	find . \! -user redis -exec chown redis '{}' +
	exec gosu redis "$@"
fi
exec "$@"
E
cat >"$r/usr/local/bin/postgres-entrypoint.sh" <<'E'
#!/bin/sh
# as docker-library/postgres: as root, own PGDATA and drop to postgres; initdb on first run
set -e
if [ "$(id -u)" = 0 ]; then
	mkdir -p "$PGDATA" && chown -R postgres "$PGDATA" && chmod 700 "$PGDATA"
	mkdir -p /var/run/postgresql && chown -R postgres /var/run/postgresql && chmod 3777 /var/run/postgresql
	exec gosu postgres "$0" "$@"
fi
if [ ! -s "$PGDATA/PG_VERSION" ]; then
	initdb --username=postgres --auth=trust -D "$PGDATA" >/dev/null
	echo "listen_addresses = '*'" >>"$PGDATA/postgresql.conf"
fi
exec "$@"
E
cat >"$r/app/app.py" <<'E'
# an app that keeps its sqlite file in its working directory and serves a count over HTTP
import http.server, sqlite3
db = sqlite3.connect("app.db")
db.execute("CREATE TABLE IF NOT EXISTS hits (n INTEGER)")
db.commit()
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        db.execute("INSERT INTO hits VALUES (1)"); db.commit()
        n = db.execute("SELECT count(*) FROM hits").fetchone()[0]
        self.send_response(200); self.end_headers(); self.wfile.write(b"hits %d\n" % n)
http.server.HTTPServer(("", 8000), H).serve_forever()
E
chmod 0755 "$r/usr/local/bin/redis-entrypoint.sh" "$r/usr/local/bin/postgres-entrypoint.sh"
ln -sf /usr/lib/postgresql/15/bin/initdb /usr/lib/postgresql/15/bin/postgres "$r/usr/local/bin/"
rm -rf "$r/var/cache/apt/archives"/*.deb "$r/var/lib/apt/lists"/*
