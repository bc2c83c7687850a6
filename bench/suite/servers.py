"""The servers the cluster shapes use, each started by the bench on 127.0.0.1 with free ports and
a temporary directory (the ideas of scripts/integration-test, in Python): PostgreSQL, Redis, a
three-node RabbitMQ cluster, and nginx (the anchor of the proxy and static-file cases).
Each `start_*` returns an object with `url` (where relevant) and `stop()`; every process is also
registered with common.spawn, so common.cleanup() stops it on any exit."""

import glob
import json
import os
import secrets
import socket
import subprocess

from .common import free_port, log, spawn, stop, tail, temp_dir, wait_until

RABBITMQ_SBIN = "/usr/lib/rabbitmq/bin"


class Server:
    """A started server: its processes, stopped newest first."""

    def __init__(self, name, url=None):
        self.name = name
        self.url = url
        self.processes = []

    def stop(self):
        for process in reversed(self.processes):
            stop(process)
        self.processes = []


def postgres_bin():
    """The newest /usr/lib/postgresql/*/bin holding initdb."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: [int(x) for x in p.split("/")[4].split(".")])
    if not found:
        raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql)")
    return os.path.dirname(found[-1])


def as_postgres(argv):
    """argv run as the postgres user (initdb and postgres refuse root)."""
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    return prefix + argv


def start_postgres():
    """A throw-away cluster, durability off (fsync, synchronous_commit): role comptoir with CREATEDB."""
    bin_dir = postgres_bin()
    root = temp_dir("pg")
    data = os.path.join(root, "data")
    if os.geteuid() == 0:
        subprocess.run(["chown", "postgres", root], check=True)
    completed = subprocess.run(as_postgres([f"{bin_dir}/initdb", "-D", data, "-U", "postgres", "--auth-local=trust",
                                            "--auth-host=scram-sha-256", "-E", "UTF8"]),
                               capture_output=True, text=True)
    if completed.returncode != 0:
        raise RuntimeError(f"initdb failed: {completed.stderr[-2000:]}")
    port = free_port()
    server = Server("postgres")
    options = ["-p", str(port), "-k", root, "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=1000",
               "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "shared_buffers=256MB"]
    log_path = os.path.join(root, "server.log")
    server.processes.append(spawn("postgres", as_postgres([f"{bin_dir}/postgres", "-D", data, *options]), log_path))
    psql = ["psql", "-h", root, "-p", str(port), "-U", "postgres", "-qAtc"]

    def answers():
        return subprocess.run(as_postgres(psql + ["SELECT 1"]), capture_output=True, text=True).stdout.strip() == "1"
    wait_until(answers, 60, f"PostgreSQL (log: {tail(log_path, 5)})")
    password = "pg" + secrets.token_hex(12)
    subprocess.run(as_postgres(psql + [f"CREATE ROLE comptoir LOGIN CREATEDB PASSWORD '{password}'"]), check=True,
                   capture_output=True)
    server.url = f"postgres://comptoir:{password}@127.0.0.1:{port}"
    log(f"PostgreSQL on 127.0.0.1:{port} ({root})")
    return server


def start_redis():
    """A redis-server with a password, no persistence."""
    root = temp_dir("redis")
    port = free_port()
    password = "redis" + secrets.token_hex(12)
    conf = os.path.join(root, "redis.conf")
    with open(conf, "w") as f:
        f.write(f'port {port}\nbind 127.0.0.1\nrequirepass {password}\nsave ""\nappendonly no\ndir {root}\n')
    server = Server("redis", f"redis://:{password}@127.0.0.1:{port}/0")
    server.processes.append(spawn("redis-server", ["redis-server", conf], os.path.join(root, "redis.log")))
    env = {**os.environ, "REDISCLI_AUTH": password}

    def answers():
        return subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True, text=True, env=env).stdout.strip() == "PONG"
    wait_until(answers, 30, "Redis")
    log(f"Redis on 127.0.0.1:{port}")
    return server


def start_rabbitmq(nodes=3):
    """`nodes` RabbitMQ nodes clustered with the first (one scheduler each, no busy-waiting), on
    an epmd of our own (so nothing outlives the bench); user comptoir on vhost /."""
    if not os.path.exists(f"{RABBITMQ_SBIN}/rabbitmq-server"):
        raise RuntimeError("rabbitmq-server is not installed (apt-get install rabbitmq-server)")
    root = temp_dir("rabbitmq")
    home = os.path.join(root, "home")
    os.makedirs(home)
    cookie = os.path.join(home, ".erlang.cookie")
    with open(cookie, "w") as f:
        f.write(secrets.token_hex(16))
    os.chmod(cookie, 0o400)
    server = Server("rabbitmq")
    epmd_port = free_port()
    server.processes.append(spawn("epmd", ["epmd", "-port", str(epmd_port)], os.path.join(root, "epmd.log")))
    suffix = secrets.token_hex(3)
    base_env = {**os.environ, "HOME": home, "ERL_EPMD_PORT": str(epmd_port)}
    names, ports = [], []
    for n in range(1, nodes + 1):
        port, dist = free_port(), free_port()
        name = f"bench{n}{suffix}@localhost"
        node_dir = os.path.join(root, f"n{n}")
        os.makedirs(node_dir)
        with open(os.path.join(node_dir, "enabled_plugins"), "w") as f:
            f.write("[].\n")
        with open(os.path.join(node_dir, "rabbitmq.conf"), "w") as f:
            f.write(f"listeners.tcp.default = {port}\nloopback_users = none\n")
        env = {**base_env, "RABBITMQ_NODENAME": name, "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1", "RABBITMQ_NODE_PORT": str(port),
               "RABBITMQ_DIST_PORT": str(dist), "RABBITMQ_MNESIA_BASE": f"{node_dir}/mnesia", "RABBITMQ_LOG_BASE": f"{node_dir}/log",
               "RABBITMQ_CONFIG_FILE": f"{node_dir}/rabbitmq", "RABBITMQ_ENABLED_PLUGINS_FILE": f"{node_dir}/enabled_plugins",
               "RABBITMQ_PID_FILE": f"{node_dir}/pid", "RABBITMQ_PLUGINS_EXPAND_DIR": f"{node_dir}/plugins-expand",
               "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS": "+S 2:1 +sbwt none +sbwtdcpu none +sbwtdio none"}
        server.processes.append(spawn(f"rabbitmq {name}", [f"{RABBITMQ_SBIN}/rabbitmq-server"], f"{node_dir}/stdout", env=env))
        names.append(name)
        ports.append(port)

    def run_ctl(name, *arguments):
        return subprocess.run([f"{RABBITMQ_SBIN}/rabbitmqctl", "-n", name, *arguments], capture_output=True, text=True,
                              env=base_env, timeout=120)

    def ctl(name, *arguments):
        completed = run_ctl(name, *arguments)
        if completed.returncode != 0:
            raise RuntimeError(f"rabbitmqctl {' '.join(arguments)}: {completed.stdout[-500:]} {completed.stderr[-1000:]}")
        return completed.stdout
    for name in names:
        wait_until(lambda name=name: run_ctl(name, "await_startup", "--timeout", "5").returncode == 0, 180,
                   f"RabbitMQ node {name}", interval=1.0)
    for name in names[1:]:
        ctl(name, "stop_app")
        ctl(name, "join_cluster", names[0])
        ctl(name, "start_app")
    password = "mq" + secrets.token_hex(12)
    ctl(names[0], "add_user", "comptoir", password)
    ctl(names[0], "set_permissions", "-p", "/", "comptoir", ".*", ".*", ".*")
    running = len(json.loads(ctl(names[0], "cluster_status", "--formatter", "json"))["running_nodes"])
    if running != nodes:
        raise RuntimeError(f"the RabbitMQ cluster has {running} running nodes, not {nodes}")
    server.url = f"amqp://comptoir:{password}@127.0.0.1:{ports[0]}," + ",".join(f"127.0.0.1:{p}" for p in ports[1:])
    original_stop = server.stop

    def stop_cluster():
        for name in reversed(names):
            try:
                run_ctl(name, "stop")
            except Exception:  # noqa: BLE001 - the group kill below still ends it
                pass
        original_stop()
    server.stop = stop_cluster
    log(f"RabbitMQ, {nodes} nodes on 127.0.0.1:{','.join(map(str, ports))} ({root})")
    return server


NGINX_CONF = """
daemon off;
master_process on;
worker_processes 1;
user root;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {root}/body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
    include /etc/nginx/mime.types;
    keepalive_requests 1000000;
    {upstream}
    server {{
        listen 127.0.0.1:{port};
        {location}
    }}
}}
"""


def start_nginx(upstream_port=None, static_root=None):
    """nginx, one worker, access log off: a keep-alive proxy to 127.0.0.1:`upstream_port`
    (`keepalive 64`, HTTP/1.1, `Connection ""`), or a static server of `static_root`."""
    root = temp_dir("nginx")
    port = free_port()
    if upstream_port is not None:
        upstream = f"upstream backend {{ server 127.0.0.1:{upstream_port}; keepalive 64; }}"
        location = ('location / { proxy_pass http://backend; proxy_http_version 1.1; '
                    'proxy_set_header Connection ""; proxy_set_header Host $host; }')
    else:
        upstream = ""
        location = f"root {static_root}; index index.html; location / {{ try_files $uri $uri/ =404; }}"
    conf = os.path.join(root, "nginx.conf")
    with open(conf, "w") as f:
        f.write(NGINX_CONF.format(root=root, port=port, upstream=upstream, location=location))
    server = Server("nginx", f"http://127.0.0.1:{port}")
    server.processes.append(spawn("nginx", ["nginx", "-c", conf, "-p", root], os.path.join(root, "stdout.log")))

    def listening():
        with socket.socket() as s:
            return s.connect_ex(("127.0.0.1", port)) == 0
    wait_until(listening, 20, f"nginx ({tail(os.path.join(root, 'error.log'), 5)})")
    return server
