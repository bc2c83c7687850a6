"""RabbitMQ under the running platform, from outside: no event lost when a node goes, a relay
dies or the broker blocks publishers.

Needs the three-node cluster of scripts/integration-test: COMPTOIR_TEST_AMQP_URL (the three
nodes) and COMPTOIR_TEST_RABBITMQ_DIR (its directory, with one `nN/env` file per node to stop and
start it). Each test runs the whole platform on that cluster in a namespace of its own, and
deletes that namespace's queues at the end. The node-loss test takes a few minutes.
"""

import json
import os
import re
import signal
import subprocess
import threading
import time
import uuid

import pytest

from harness import eventually, metric
from purchases import Shop, assert_settled, sold_out

pytestmark = pytest.mark.servers

RABBITMQ_BIN = "/usr/lib/rabbitmq/bin"
ORDERS = 200
UNITS = 150                   # so that 50 orders are cancelled for lack of stock
ORDERS_PER_SECOND = 8.0       # about 25 s of checkouts, long enough to straddle a node's stop and start
STOP_AT, START_AT = 40, 110   # the order counts at which the node is stopped, then started again
PRODUCTS_OFFSET = 2           # products listens on the base port + 2
ORDERS_OFFSET = 4             # orders on the base port + 4
NORMAL_WATERMARK = "0.4"      # RabbitMQ's default vm_memory_high_watermark


class Node:
    """One RabbitMQ node of the test cluster, stopped and started from its env file."""

    def __init__(self, directory, index):
        self.directory = os.path.join(directory, f"n{index}")
        with open(os.path.join(self.directory, "env")) as f:
            text = f.read()
        self.name = re.search(r"RABBITMQ_NODENAME='([^']+)'", text).group(1)
        self.port = int(re.search(r"RABBITMQ_NODE_PORT=(\d+)", text).group(1))
        self.home = re.search(r"HOME='([^']+)'", text).group(1)

    def ctl(self, *args, timeout=120):
        return subprocess.run([os.path.join(RABBITMQ_BIN, "rabbitmqctl"), "-n", self.name, *args], env={**os.environ, "HOME": self.home},
                              capture_output=True, text=True, timeout=timeout)

    def stop(self):
        """Stops the whole node (its Erlang VM exits), as a crashed or drained pod would."""
        return self.ctl("stop").returncode == 0

    def start(self, timeout=120):
        """Starts the node again from its env file, detached, and waits until it runs."""
        with open(os.path.join(self.directory, "stdout"), "ab") as out:
            subprocess.Popen(["bash", "-c", f". '{self.directory}/env' && exec '{RABBITMQ_BIN}/rabbitmq-server'"], stdout=out, stderr=out,
                             stdin=subprocess.DEVNULL, start_new_session=True)
        # await_startup fails at once while the node's Erlang VM is not up yet: ask until it answers.
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.ctl("await_startup", "--timeout", "10", timeout=30).returncode == 0:
                return True
            time.sleep(0.5)
        return False

    def running_nodes(self):
        result = self.ctl("cluster_status", "--formatter", "json")
        return len(json.loads(result.stdout)["running_nodes"]) if result.returncode == 0 else 0

    def queues(self, prefix):
        """{name: (type, messages)} of the queues whose names start with `prefix`."""
        result = self.ctl("list_queues", "name", "type", "messages", "--formatter", "json")
        assert result.returncode == 0, f"list_queues on {self.name}: {result.stderr.strip()}"
        return {q["name"]: (q["type"], q["messages"]) for q in json.loads(result.stdout) if q["name"].startswith(prefix)}

    def connections(self, pid):
        """{role: AMQP port (so node)} of the connections a comptoir process with `pid` holds
        (roles `publish` and `consume`, from the connection names)."""
        result = self.ctl("list_connections", "port", "client_properties", "--formatter", "json")
        if result.returncode != 0:
            return {}
        found = {}
        for connection in json.loads(result.stdout):
            name = re.search(rf"comptoir \S+ {pid} \((\w+)\)", json.dumps(connection["client_properties"]))
            if name:
                found[name.group(1)] = connection["port"]
        return found

    def set_memory_watermark(self, fraction):
        return self.ctl("set_vm_memory_high_watermark", fraction).returncode == 0

    def has_memory_alarm(self):
        result = self.ctl("status", "--formatter", "json")
        return result.returncode == 0 and bool(json.loads(result.stdout).get("alarms"))

    def delete_queues(self, prefix):
        for name in self.queues(prefix):
            self.ctl("delete_queue", name)


@pytest.fixture(scope="module")
def cluster(servers):
    directory = servers.need("COMPTOIR_TEST_AMQP_URL", "COMPTOIR_TEST_RABBITMQ_DIR")["COMPTOIR_TEST_RABBITMQ_DIR"]
    nodes = [Node(directory, n) for n in (1, 2, 3)]
    running = nodes[0].running_nodes()
    assert running == 3, f"the RabbitMQ cluster should run 3 nodes, runs {running}"
    return nodes


@pytest.fixture
def namespace(cluster):
    """A namespace of the platform's exchanges and queues of its own, deleted after the test (the
    tests ask for it before `platforms`, so that their platform has stopped by then)."""
    name = f"amqptest{uuid.uuid4().hex[:8]}"
    yield name
    eventually(lambda: any(n.running_nodes() for n in cluster), 60)
    next(n for n in cluster if n.running_nodes()).delete_queues(name + ".")


@pytest.fixture
def amqp_env(servers, namespace):
    return {
        "COMPTOIR_AMQP_URL": servers.need("COMPTOIR_TEST_AMQP_URL")["COMPTOIR_TEST_AMQP_URL"], "COMPTOIR_AMQP_NAMESPACE": namespace,
        "COMPTOIR_RATE_LIMIT_IP": "100000/1s", "COMPTOIR_RATE_LIMIT_USER": "100000/1s", "COMPTOIR_LOG_FORMAT": "text",
    }


def assert_queues(node, namespace, label):
    """Every service queue is a quorum queue, drained, and every dead-letter queue empty; returns the figures."""
    def drained():
        queues = node.queues(namespace + ".")
        return queues if queues and all(messages == 0 for _, messages in queues.values()) else None
    queues = eventually(drained, 30) or node.queues(namespace + ".")
    dead = {name: m for name, (_, m) in queues.items() if name.endswith(".dlq") and m > 0}
    assert queues and not dead, f"{label}: no message should be in a dead-letter queue: {dead}"
    waiting = {name: m for name, (_, m) in queues.items() if not name.endswith(".dlq") and m > 0}
    assert not waiting, f"{label}: every service queue should be drained: {waiting}"
    assert all(kind == "quorum" for kind, _ in queues.values()), f"{label}: every queue should be a quorum queue: { {n: k for n, (k, _) in queues.items()} }"
    return f"{label}: {len(queues)} quorum queues drained, {sum(n.endswith('.dlq') for n in queues)} dead-letter queues empty"


def test_relay_killed_between_publish_and_mark_sent(amqp_env, namespace, platforms, cluster, figure):
    """COMPTOIR_CRASH_AFTER_PUBLISH kills the process after the broker confirmed
    `orders.order.placed` and before the row is marked sent. After a restart the event is published
    again and products' inbox drops the duplicate: stock reserved once, the order confirmed once,
    one delivery and one mail."""
    label = "relay-crash"
    instance = platforms.start(label, {**amqp_env, "COMPTOIR_CRASH_AFTER_PUBLISH": "orders.order.placed"})
    shop = Shop(instance.base_url)
    product = shop.product(shop.admin(), stock=5)
    buyer = shop.buyer(product, quantity=2)
    key = uuid.uuid4().hex
    # The relay publishes as soon as the order commits, so the kill may beat the response.
    first = shop.checkout(buyer, idempotency_key=key)
    try:
        code = instance.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        code = None
    assert code == -signal.SIGKILL, f"{label}: the relay should kill the process between publish and mark-sent, exit {code}"
    figure(f"{label}: killed by the relay after the publication (checkout answered {first.status or 'nothing'})")
    instance = platforms.start(label, amqp_env)
    shop = Shop(instance.base_url)
    admin = shop.admin()
    # The customer retries with the same Idempotency-Key: the order placed before the kill comes back.
    retry = shop.client.post("/api/v1/orders", {"shipping_address_id": buyer["address"]}, token=buyer["token"], headers={"Idempotency-Key": key})
    order = shop.must(retry, 201, "checkout retried after the restart")
    assert retry.header("Idempotent-Replayed") == "true", f"{label}: the retried checkout should replay order {order['number']}"
    mine = shop.must(shop.client.get("/api/v1/orders", token=buyer["token"]), 200, "list orders")
    assert len(mine["items"]) == 1, f"{label}: the customer should have exactly one order, has {len(mine['items'])}"
    products = f"http://127.0.0.1:{instance.port + PRODUCTS_OFFSET}"
    eventually(lambda: metric(products, "events_duplicates_total", 'type="orders.order.placed"') >= 1, 30,
               f"{label}: orders.order.placed published again after the restart and dropped by products' inbox (events_duplicates_total)")
    figure(assert_settled(shop, admin, label, [(buyer, order)], 1, product, 3))
    figure(assert_queues(cluster[0], namespace, label))
    platforms.stop(instance)


@pytest.fixture
def memory_alarm(cluster):
    """Sets the watermark of every node; puts it back to NORMAL_WATERMARK at the end whatever happens."""
    def lower(fraction):
        return all(node.set_memory_watermark(fraction) for node in cluster)
    yield lower
    for node in cluster:
        node.set_memory_watermark(NORMAL_WATERMARK)


def test_a_memory_alarm_blocks_publishers_then_the_saga_completes(amqp_env, namespace, memory_alarm, platforms, cluster, figure):
    """With the cluster's memory watermark lowered until it raises an alarm, the broker blocks
    publishers (connection.blocked): an order placed meanwhile stays pending, its event waits in the
    outbox with no attempt counted, and once the watermark is back the saga completes, once."""
    label = "alarm"
    instance = platforms.start(label, amqp_env)
    shop = Shop(instance.base_url)
    admin = shop.admin()
    product = shop.product(admin, stock=5)
    buyer = shop.buyer(product, quantity=2)
    orders = f"http://127.0.0.1:{instance.port + ORDERS_OFFSET}"
    # A watermark far below what any node uses: every node raises a memory alarm.
    assert memory_alarm("0.0000001"), f"{label}: set_vm_memory_high_watermark on every node"
    eventually(lambda: all(n.has_memory_alarm() for n in cluster), 30, f"{label}: every node in a memory alarm")
    order = shop.must(shop.checkout(buyer), 201, "checkout during the alarm")
    # Long enough for a publication to give up waiting (10 s) at least once.
    time.sleep(14)
    status = shop.order(buyer, order["id"])["status"]
    assert status == "pending", f"{label}: order {order['number']} should be pending while publishers are blocked, is {status}"
    pending = metric(orders, "outbox_pending", "")
    assert pending >= 1, f"{label}: its event should wait in the outbox (outbox_pending {pending})"
    with open(instance.log_path, "rb") as f:
        log = f.read().decode("utf-8", "replace")
    assert "RabbitMQ blocks publishers" in log, f"{label}: the client should log connection.blocked with the broker's reason"
    # The relay took the timeout for an unreachable bus (rows wait), not for a failed
    # publication (an attempt counted towards setting the row aside).
    assert "event bus unavailable; events wait in the outbox" in log and "outbox event publication failed" not in log, \
        f"{label}: the relay should wait without counting an attempt against the event"
    figure(f"{label}: order {order['number']} pending 14 s under the alarm, outbox_pending {pending:.0f}")
    assert memory_alarm(NORMAL_WATERMARK), f"{label}: watermark back to {NORMAL_WATERMARK}"
    figure(assert_settled(shop, admin, label, [(buyer, order)], 1, product, 3))
    figure(assert_queues(cluster[0], namespace, label))
    platforms.stop(instance)


@pytest.fixture
def node_to_stop(cluster):
    """Holds the node the test stops; started again at the end if the test left it down."""
    held = {}
    yield held
    node = held.get("node")
    if node is not None and node.running_nodes() == 0:
        node.start()


def test_orders_placed_while_a_node_stops_and_starts(amqp_env, namespace, node_to_stop, platforms, cluster, figure):
    """About 200 orders at a steady pace while the node the platform consumes from (the leader of
    the queues it declared) is stopped, then started again: every order confirmed or cancelled, as
    many confirmed as there were units, stock 0, one delivery and one mail per confirmed order and
    none for the others, the node back in the cluster, no message in any dead-letter queue."""
    label = "node-loss"
    instance = platforms.start(label, amqp_env)
    shop = Shop(instance.base_url)
    admin = shop.admin()
    product = shop.product(admin, stock=UNITS)
    buyers = [None] * ORDERS
    preparing = [threading.Thread(target=lambda i=i: buyers.__setitem__(i, shop.buyer(product, 1))) for i in range(ORDERS)]
    for start in range(0, ORDERS, 8):
        batch = preparing[start:start + 8]
        for thread in batch:
            thread.start()
        for thread in batch:
            thread.join()
    assert all(buyers), f"{label}: {ORDERS} customers with one unit in their basket, {sum(map(bool, buyers))} ready"

    # The node the consumers are on: its loss ends both consumption and, if it is there too,
    # publication, and it leads the quorum queues declared through it.
    connections = eventually(lambda: (lambda c: c if len(c) == 2 else None)(cluster[0].connections(instance.process.pid)), 10) or {}
    assert len(connections) == 2, f"{label}: the platform should publish and consume on connections of their own: {connections}"
    stopped = next((n for n in cluster if n.port == connections.get("consume")), cluster[0])
    node_to_stop["node"] = stopped
    survivor = next(n for n in cluster if n is not stopped)
    on_it = sorted(role for role, port in connections.items() if port == stopped.port)
    figure(f"{label}: node {stopped.name.split('@')[0]} carries {' and '.join(on_it) or 'none'} of the platform's connections")

    answers = [None] * ORDERS
    node_events = {}

    def place(i):
        answers[i] = shop.checkout(buyers[i])

    def stop_node():
        node_events["stopped"] = stopped.stop()

    def start_node():
        node_events["started"] = stopped.start()

    threads, helpers = [], []
    started = time.monotonic()
    for i in range(ORDERS):
        if i == STOP_AT:
            helpers.append(threading.Thread(target=stop_node))
            helpers[-1].start()
        if i == START_AT:
            helpers[0].join()
            helpers.append(threading.Thread(target=start_node))
            helpers[-1].start()
        threads.append(threading.Thread(target=place, args=(i,)))
        threads[-1].start()
        time.sleep(max(0.0, started + (i + 1) / ORDERS_PER_SECOND - time.monotonic()))
    for thread in threads + helpers:
        thread.join()
    elapsed = time.monotonic() - started
    assert node_events.get("stopped") is True, f"{label}: the node should stop after {STOP_AT} orders"
    assert node_events.get("started") is True, f"{label}: the node should start again after {START_AT} orders"
    placed = [(buyers[i], answers[i].json) for i in range(ORDERS) if answers[i] is not None and answers[i].status == 201]
    failed = [answers[i].describe() if answers[i] is not None else "no answer" for i in range(ORDERS)
              if answers[i] is None or (answers[i].status != 201 and not sold_out(answers[i]))]
    refused = sum(1 for a in answers if sold_out(a))
    assert not failed, f"{label}: every checkout should answer 201 (or 409 once sold out); {len(failed)} did not: " + "; ".join(failed[:3])
    figure(f"{label}: {ORDERS} checkouts answered in {elapsed:.0f} s ({len(placed)} placed, {refused} refused as sold out), "
           f"the node stopped at {STOP_AT} and started at {START_AT}")
    eventually(lambda: survivor.running_nodes() == 3, 60, f"{label}: the node rejoined, 3 nodes running")
    figure(assert_settled(shop, admin, label, placed, min(len(placed), UNITS), product, max(0, UNITS - len(placed))))
    figure(assert_queues(survivor, namespace, label))
    redelivered = metric(f"http://127.0.0.1:{instance.port + PRODUCTS_OFFSET}", "events_redelivered_total", 'type="orders.order.placed"')
    figure(f"{label}: products saw {redelivered:.0f} redelivered orders.order.placed")
    platforms.stop(instance)
