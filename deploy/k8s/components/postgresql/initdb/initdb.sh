#!/bin/sh
# Run by the postgres image's entrypoint (docker-entrypoint-initdb.d) on the first start only.
# Logins are files in COMPTOIR_SECRETS_DIR (the server's Secret):
#   one server per service:  APP_USER, APP_PASSWORD, and APP_DATABASE in the environment;
#   one shared server:       DB_<ID>_USER, DB_<ID>_PASSWORD for each id of COMPTOIR_SERVICES.
# Each role owns its database and may connect to it alone (CONNECT revoked from PUBLIC); no role
# is a superuser or may create databases (the databases exist before the services start).
set -eu
secrets=${COMPTOIR_SECRETS_DIR:?}

create() {
    psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
        --set=app_user="$1" --set=app_password="$2" --set=app_database="$3" <<'SQL'
CREATE ROLE :"app_user" LOGIN PASSWORD :'app_password';
CREATE DATABASE :"app_database" OWNER :"app_user";
REVOKE ALL ON DATABASE :"app_database" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"app_database" TO :"app_user";
SQL
    echo "comptoir: role $1 owns database $3"
}

if [ -f "$secrets/APP_USER" ]; then
    create "$(cat "$secrets/APP_USER")" "$(cat "$secrets/APP_PASSWORD")" "$APP_DATABASE"
fi
for id in ${COMPTOIR_SERVICES:-}; do
    upper=$(printf '%s' "$id" | tr '[:lower:]' '[:upper:]')
    create "$(cat "$secrets/DB_${upper}_USER")" "$(cat "$secrets/DB_${upper}_PASSWORD")" "${COMPTOIR_DATABASE_PREFIX:-comptoir}_$id"
done
