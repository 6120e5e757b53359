package io.hostql.tables.network;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** Helpers for the network table tests: a checked command runner, JSON witnesses, a veth pair. */
final class NetFixtures {
    private NetFixtures() {}

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Runs a command as set-up for a test; fails the test (with its stderr) if it does not exit 0. */
    static String sh(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).start();
            byte[] out = p.getInputStream().readAllBytes();
            byte[] err = p.getErrorStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("timed out: " + String.join(" ", cmd));
            }
            if (p.exitValue() != 0) {
                throw new AssertionError(String.join(" ", cmd) + " exited " + p.exitValue() + ": "
                        + new String(err, StandardCharsets.UTF_8).strip());
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError("cannot run " + String.join(" ", cmd) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Like {@link #sh} but ignores failure (clean-up of what may not exist). */
    static void quietly(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            p.waitFor(60, TimeUnit.SECONDS);
        } catch (IOException e) {
            // nothing to clean
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static JsonNode json(String... cmd) {
        try {
            return JSON.readTree(sh(cmd));
        } catch (IOException e) {
            throw new AssertionError("bad JSON from " + String.join(" ", cmd), e);
        }
    }

    /**
     * A veth pair in this network namespace (root only): {@value #LINK} with 198.51.100.1/24 and 2001:db8:51::1/64
     * (no link-local address),
     * a permanent neighbour 198.51.100.9, and a route to 203.0.113.0/24 via 198.51.100.2 with metric, MTU and hop
     * limit. Documentation-range addresses; nothing is sent anywhere but the peer.
     */
    static final class Veth implements AutoCloseable {
        static final String LINK = "hqnet0", PEER = "hqnet1";

        Veth() {
            quietly("ip", "link", "del", LINK);
            sh("ip", "link", "add", LINK, "mtu", "1420", "type", "veth", "peer", "name", PEER);
            try {
                sh("ip", "link", "set", LINK, "address", "02:51:00:00:00:01");
                // No IPv6 link-local addresses: they would appear asynchronously, racing the witnesses.
                sh("ip", "link", "set", LINK, "addrgenmode", "none");
                sh("ip", "link", "set", PEER, "addrgenmode", "none");
                sh("ip", "addr", "add", "198.51.100.1/24", "brd", "+", "dev", LINK);
                sh("ip", "addr", "add", "2001:db8:51::1/64", "dev", LINK, "nodad");
                sh("ip", "link", "set", PEER, "up");
                sh("ip", "link", "set", LINK, "up");
                waitOperUp();
                sh("ip", "neigh", "replace", "198.51.100.9", "lladdr", "02:51:00:00:00:09", "dev", LINK, "nud", "permanent");
                sh("ip", "route", "add", "203.0.113.0/24", "via", "198.51.100.2", "dev", LINK, "metric", "77",
                        "mtu", "1280", "hoplimit", "9");
            } catch (AssertionError e) {
                close();
                throw e;
            }
        }

        private static void waitOperUp() {
            java.nio.file.Path state = java.nio.file.Path.of("/sys/class/net", LINK, "operstate");
            long deadline = System.nanoTime() + 5_000_000_000L;
            try {
                while (!java.nio.file.Files.readString(state).strip().equals("up")) {
                    if (System.nanoTime() > deadline) throw new AssertionError(LINK + " did not come up");
                    Thread.sleep(20);
                }
            } catch (IOException e) {
                throw new AssertionError(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }

        @Override
        public void close() {
            quietly("ip", "link", "del", LINK); // takes the peer, addresses, neighbours and routes with it
        }
    }
}
