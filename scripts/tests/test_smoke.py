"""Smoke test of the comptoir binary (embedded mode).

Two platform instances side by side (each on its own free base port P, the services on
P+1..P+11, each with its own data directory), the auth routes of API.md through the gateway of
the first, both stopped with SIGTERM (exit 0), then the one-shot commands on the first one's data
directory. scripts/container-test runs this module through its sandbox (scripts/smoke-test
WRAPPER), so it stays whole: the API checks here also prove that the binary finds its resource
bundles (OpenAPI document, storefront) and answers on real sockets.
"""

import os
import subprocess
import uuid

import pytest

from harness import ADMIN_EMAIL, ADMIN_PASSWORD, Client

PROBLEM_JSON = "application/problem+json"
PASSWORD = "correct-horse-battery"


@pytest.fixture(scope="module")
def pair(module_platforms):
    first = module_platforms.start("instance-1", wait=False)
    second = module_platforms.start("instance-2", wait=False)
    module_platforms.wait_ready(first, second)
    return first, second


@pytest.fixture(scope="module")
def gateway(pair):
    """A client of instance-1's gateway; it keeps every response (X-Request-Id is checked on all)."""
    return Client(pair[0].base_url)


@pytest.fixture(scope="module")
def admin(gateway):
    r = gateway.post("/api/v1/auth/login", {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
    assert r.status == 200 and is_token_pair(r.json), f"login as COMPTOIR_ADMIN_EMAIL: {r.describe()}"
    return r.json["access_token"]


def is_problem(resp, status):
    """The response is an RFC 9457 problem document with this status."""
    if resp.status != status or not resp.content_type.lower().startswith(PROBLEM_JSON):
        return False
    doc = resp.json
    return isinstance(doc, dict) and doc.get("status") == status and "title" in doc


def assert_problem(resp, status, what):
    assert is_problem(resp, status), f"{what} -> {status} problem+json: {resp.describe()}"


def assert_status(resp, status, what):
    assert resp.status == status, f"{what} -> {status}: {resp.describe()}"


def is_token_pair(doc):
    return (isinstance(doc, dict)
            and isinstance(doc.get("access_token"), str) and doc["access_token"]
            and isinstance(doc.get("refresh_token"), str) and doc["refresh_token"]
            and doc.get("token_type") == "Bearer"
            and isinstance(doc.get("expires_in"), int))


def is_page(doc):
    return (isinstance(doc, dict) and isinstance(doc.get("items"), list)
            and all(isinstance(doc.get(k), int) for k in ("total", "page", "per_page")))


def register(c, name="Smoke Test"):
    """A new customer: (email, user id)."""
    email = f"smoke-{uuid.uuid4().hex[:10]}@example.com"
    r = c.post("/api/v1/auth/register", {"email": email, "password": PASSWORD, "name": name})
    assert r.status == 201, f"register {email}: {r.describe()}"
    return email, r.json["id"]


def login(c, email, password=PASSWORD):
    r = c.post("/api/v1/auth/login", {"email": email, "password": password})
    assert r.status == 200 and is_token_pair(r.json), f"login {email}: {r.describe()}"
    return r.json


# ---------------------------------------------------------------------------
# Two instances
# ---------------------------------------------------------------------------

def test_two_instances_run_side_by_side(pair, figure):
    first, second = pair
    figure(f"instance-1 on port {first.port} ready after {first.ready_after:.1f} s, "
           f"instance-2 on port {second.port} ready after {second.ready_after:.1f} s")
    r = Client(second.base_url).get("/api/v1/auth/jwks.json")
    assert_status(r, 200, "instance-2: GET /api/v1/auth/jwks.json")


# ---------------------------------------------------------------------------
# The auth routes through instance-1's gateway
# ---------------------------------------------------------------------------

def test_register(gateway):
    email = f"smoke-{uuid.uuid4().hex[:10]}@example.com"
    r = gateway.post("/api/v1/auth/register", {"email": email, "password": PASSWORD, "name": "Smoke Test"})
    doc = r.json
    assert (r.status == 201 and isinstance(doc, dict) and doc.get("email") == email and isinstance(doc.get("id"), str)
            and "customer" in (doc.get("roles") or [])), f"POST /auth/register -> 201 {{id, email, name, roles:[customer]}}: {r.describe()}"

    r = gateway.post("/api/v1/auth/register", {"email": email, "password": PASSWORD, "name": "Again"})
    assert_problem(r, 409, "POST /auth/register with a taken e-mail")

    r = gateway.post("/api/v1/auth/register", {"email": f"short-{uuid.uuid4().hex[:10]}@example.com", "password": "short", "name": "Short"})
    doc = r.json
    fields = [e.get("field") for e in (doc.get("errors") or []) if isinstance(e, dict)] if isinstance(doc, dict) else []
    assert is_problem(r, 422) and any("password" in str(f) for f in fields), \
        f"POST /auth/register short password -> 422 problem+json with a password field error: {r.describe()}"


def test_login(gateway):
    email, _ = register(gateway)
    r = gateway.post("/api/v1/auth/login", {"email": email, "password": PASSWORD})
    assert r.status == 200 and is_token_pair(r.json), \
        f"POST /auth/login -> 200 {{access_token, refresh_token, token_type: Bearer, expires_in}}: {r.describe()}"
    r = gateway.post("/api/v1/auth/login", {"email": email, "password": "wrong-password-000"})
    assert_problem(r, 401, "POST /auth/login with a wrong password")
    r = gateway.post("/api/v1/auth/login", raw=b'{"email": "x@example.com", "password": ')
    assert_problem(r, 400, "POST /auth/login with malformed JSON")


def test_me(gateway):
    email, user_id = register(gateway)
    access = login(gateway, email)["access_token"]
    r = gateway.get("/api/v1/auth/me", token=access)
    doc = r.json
    assert (r.status == 200 and isinstance(doc, dict) and doc.get("email") == email and doc.get("id") == user_id
            and "created_at" in doc), f"GET /auth/me -> 200 {{id, email, name, roles, created_at}}: {r.describe()}"
    assert_problem(gateway.get("/api/v1/auth/me"), 401, "GET /auth/me without a token")
    assert_problem(gateway.get("/api/v1/auth/me", token="not-a-jwt"), 401, "GET /auth/me with a garbage token")


def test_refresh_rotates_and_a_reuse_revokes_the_family(gateway):
    email, _ = register(gateway)
    old_refresh = login(gateway, email)["refresh_token"]
    r = gateway.post("/api/v1/auth/refresh", {"refresh_token": old_refresh})
    doc = r.json
    assert r.status == 200 and is_token_pair(doc) and doc["refresh_token"] != old_refresh, \
        f"POST /auth/refresh -> 200 with a new pair (another refresh token): {r.describe()}"
    newest_refresh = doc["refresh_token"]
    assert_status(gateway.get("/api/v1/auth/me", token=doc["access_token"]), 200, "GET /auth/me with the refreshed access token")
    assert_problem(gateway.post("/api/v1/auth/refresh", {"refresh_token": old_refresh}), 401,
                   "POST /auth/refresh reusing the old refresh token")
    assert_problem(gateway.post("/api/v1/auth/refresh", {"refresh_token": newest_refresh}), 401,
                   "POST /auth/refresh with the newest token of the reused family (family revoked)")


def test_logout(gateway):
    email, _ = register(gateway)
    session = login(gateway, email)
    r = gateway.post("/api/v1/auth/logout", {"refresh_token": session["refresh_token"]}, token=session["access_token"])
    assert_status(r, 204, "POST /auth/logout")
    assert_problem(gateway.post("/api/v1/auth/refresh", {"refresh_token": session["refresh_token"]}), 401,
                   "POST /auth/refresh after the logout")
    assert_problem(gateway.post("/api/v1/auth/logout", {"refresh_token": "whatever"}), 401, "POST /auth/logout without a token")


def test_password_change_ends_the_other_sessions(gateway):
    email, _ = register(gateway)
    new_password = "staple-horse-battery-2"
    other = login(gateway, email)
    access = login(gateway, email)["access_token"]
    r = gateway.post("/api/v1/auth/password", {"current_password": "not-my-password-1", "new_password": new_password}, token=access)
    assert r.status in (401, 403, 422) and r.content_type.startswith(PROBLEM_JSON), \
        f"POST /auth/password with a wrong current password -> 4xx problem+json: {r.describe()}"
    r = gateway.post("/api/v1/auth/password", {"current_password": PASSWORD, "new_password": new_password}, token=access)
    assert_status(r, 204, "POST /auth/password")
    assert_problem(gateway.post("/api/v1/auth/login", {"email": email, "password": PASSWORD}), 401, "POST /auth/login with the old password")
    r = gateway.post("/api/v1/auth/login", {"email": email, "password": new_password})
    assert r.status == 200 and is_token_pair(r.json), f"POST /auth/login with the new password -> 200: {r.describe()}"
    assert_problem(gateway.post("/api/v1/auth/refresh", {"refresh_token": other["refresh_token"]}), 401,
                   "POST /auth/refresh of another session after a password change")


def test_admin_routes(gateway, admin):
    email, user_id = register(gateway)
    customer = login(gateway, email)["access_token"]
    r = gateway.get("/api/v1/auth/me", token=admin)
    assert r.status == 200 and "admin" in ((r.json or {}).get("roles") or []), f"GET /auth/me as admin -> roles include admin: {r.describe()}"
    r = gateway.get("/api/v1/auth/users?page=1&per_page=20", token=admin)
    assert r.status == 200 and is_page(r.json), f"GET /auth/users as admin -> 200 {{items, total, page, per_page}}: {r.describe()}"
    assert_problem(gateway.get("/api/v1/auth/users", token=customer), 403, "GET /auth/users as a customer")
    assert_problem(gateway.get("/api/v1/auth/users"), 401, "GET /auth/users without a token")
    roles = {"roles": ["customer", "support"]}
    assert_problem(gateway.put(f"/api/v1/auth/users/{user_id}/roles", roles, token=customer), 403, "PUT /auth/users/{id}/roles as a customer")
    r = gateway.put(f"/api/v1/auth/users/{user_id}/roles", roles, token=admin)
    doc = r.json
    roles_ok = not (isinstance(doc, dict) and "roles" in doc) or sorted(doc.get("roles") or []) == ["customer", "support"]
    assert r.status == 200 and roles_ok, f'PUT /auth/users/{{id}}/roles {{"roles":["customer","support"]}} as admin -> 200: {r.describe()}'
    assert_problem(gateway.put(f"/api/v1/auth/users/{uuid.uuid4()}/roles", {"roles": ["customer"]}, token=admin), 404,
                   "PUT /auth/users/{unknown id}/roles")
    r = gateway.get("/api/v1/auth/audit", token=admin)
    doc = r.json
    assert r.status == 200 and isinstance(doc, dict) and isinstance(doc.get("items"), list) and doc["items"], \
        f"GET /auth/audit as admin -> 200 with items: {r.describe()}"


def test_public_documents_and_the_storefront(gateway):
    r = gateway.get("/api/v1/auth/jwks.json")
    keys = (r.json or {}).get("keys") if isinstance(r.json, dict) else None
    first = keys[0] if isinstance(keys, list) and keys and isinstance(keys[0], dict) else {}
    assert r.status == 200 and first.get("kty") == "OKP" and first.get("crv") == "Ed25519", \
        f"GET /auth/jwks.json -> 200, keys[0] is OKP / Ed25519: {r.describe()}"
    r = gateway.get("/api/v1/openapi.json")
    doc = r.json if isinstance(r.json, dict) else {}
    paths = doc.get("paths")
    assert r.status == 200 and "openapi" in doc and isinstance(paths, dict) and any(str(p).startswith("/api/v1/auth") for p in paths), \
        f"GET /api/v1/openapi.json -> 200 with openapi and /api/v1/auth paths: {r.describe()}"
    r = gateway.get("/metrics")
    assert r.status == 200 and r.content_type.lower().startswith("text/") and r.body.strip(), f"GET /metrics -> 200 text: {r.describe()}"
    r = gateway.get("/", headers={"Accept": "text/html"})
    assert r.status == 200 and "text/html" in r.content_type.lower() and b"<" in r.body[:2000], f"GET / -> 200 HTML storefront: {r.describe()}"
    assert_status(gateway.get("/health/live"), 200, "GET /health/live")


def test_unknown_routes(gateway, admin):
    assert_problem(gateway.get("/api/v1/nope"), 404, "GET /api/v1/nope")
    # Under a service, an unknown route is 401 to anonymous callers (docs/decisions/0005) and 404 otherwise.
    assert_problem(gateway.get("/api/v1/auth/nope"), 401, "GET /api/v1/auth/nope anonymous")
    assert_problem(gateway.get("/api/v1/auth/nope", token=admin), 404, "GET /api/v1/auth/nope as admin")


def test_every_response_carries_a_request_id(gateway, figure):
    if len(gateway.responses) < 5:  # run alone (-k): some answers of its own, a success, a problem, a 404
        gateway.get("/health/live"), gateway.get("/api/v1/auth/me"), gateway.get("/api/v1/nope"), gateway.get("/api/v1/auth/jwks.json")
    missing = [f"{x.method} {x.url} ({x.status})" for x in gateway.responses if x.status is not None and not x.header("X-Request-Id")]
    unanswered = [x.describe() for x in gateway.responses if x.status is None]
    assert not missing and not unanswered, f"responses without X-Request-Id or unanswered: {'; '.join(missing[:10] + unanswered[:5])}"
    figure(f"{len(gateway.responses)} responses through instance-1's gateway, each with X-Request-Id")


# ---------------------------------------------------------------------------
# The stop, then the one-shot commands on instance-1's data directory
# ---------------------------------------------------------------------------

def test_both_still_run_and_exit_cleanly_after_sigterm(pair, module_platforms):
    module_platforms.stop(*pair)


@pytest.fixture(scope="module")
def stopped_data_dir(pair, module_platforms):
    """instance-1's data directory once both have stopped (test_both_... checks the exit codes)."""
    running = [i for i in pair if i.running()]
    if running:
        module_platforms.stop(*running)
    return pair[0].data_dir


def cli(binary, args, stdin=None, extra_env=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMPTOIR_")}
    env["COMPTOIR_BCRYPT_COST"] = "4"
    return subprocess.run([binary, *args], input=stdin, capture_output=True, text=True, timeout=60, env={**env, **(extra_env or {})})


def test_cli_help(binary):
    r = cli(binary, ["--help"])
    assert r.returncode == 0 and "serve" in r.stdout and "migrate" in r.stdout, \
        f"comptoir --help lists the commands: {r.stdout[-300:]} {r.stderr[-300:]}"


def test_cli_a_bad_variable_stops_start_up_with_one_line(binary, stopped_data_dir):
    r = cli(binary, ["--data-dir", stopped_data_dir, "--port", "1"], extra_env={"COMPTOIR_BCRYPT_COST": "abc"})
    assert r.returncode == 2 and "COMPTOIR_BCRYPT_COST" in r.stderr and len(r.stderr.strip().splitlines()) == 1, \
        f"one line naming COMPTOIR_BCRYPT_COST, exit 2; got exit {r.returncode}: {r.stderr[-300:]}"


def test_cli_migrate(binary, stopped_data_dir):
    r = cli(binary, ["migrate", "--data-dir", stopped_data_dir])
    assert r.returncode == 0 and "migrated auth" in r.stdout, f"comptoir migrate: exit {r.returncode}: {r.stdout[-200:]} {r.stderr[-300:]}"


def test_cli_create_admin(binary, stopped_data_dir):
    create = ["users", "create-admin", "--email", "ops@example.com", "--password-stdin", "--data-dir", stopped_data_dir]
    r = cli(binary, create, stdin="ops-password-123\n")
    assert r.returncode == 0 and "created" in r.stdout, f"comptoir users create-admin creates: exit {r.returncode}: {r.stdout[-200:]} {r.stderr[-300:]}"
    r = cli(binary, create, stdin="ops-password-123\n")
    assert r.returncode == 0 and "already exists" in r.stdout, \
        f"comptoir users create-admin is idempotent: exit {r.returncode}: {r.stdout[-200:]} {r.stderr[-300:]}"
    r = cli(binary, ["users", "create-admin", "--email", "x@example.com", "--password-stdin", "--data-dir", stopped_data_dir], stdin="short\n")
    assert r.returncode != 0 and "password" in r.stderr, \
        f"comptoir users create-admin refuses a short password: exit {r.returncode}: {r.stderr[-300:]}"
