package io.hostql.tables.fetchers;

import static io.hostql.tables.TableTests.generate;
import static io.hostql.tables.TableTests.hasCommand;
import static io.hostql.tables.TableTests.rows;
import static io.hostql.tables.TableTests.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.hostql.tables.TableTests.Child;
import io.hostql.tables.self.AgentInfo;
import java.io.FileInputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * curl and curl_certificate against HTTP and HTTPS servers this test runs on 127.0.0.1 (a certificate
 * made by openssl at test time), witnessed by the curl and openssl programs; prometheus_metrics against
 * Debian's prometheus-node-exporter started on a loopback port, witnessed by curl.
 */
class FetcherTablesTest {
    @TempDir
    static Path dir;
    static HttpServer http;
    static HttpsServer https;
    static Path certPem;
    static final List<String> userAgents = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void servers() throws Exception {
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/hello", ex -> {
            userAgents.add(ex.getRequestHeaders().getFirst("User-Agent"));
            byte[] body = "hello from hostql's test\n".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        http.createContext("/moved", ex -> {
            ex.getResponseHeaders().add("Location", "/hello");
            ex.sendResponseHeaders(302, -1);
            ex.close();
        });
        http.createContext("/metrics", ex -> {
            byte[] body = ("# HELP odd_metric a fixture\n# TYPE odd_metric gauge\n"
                    + "odd_metric{path=\"/a b\",q=\"say \\\"hi\\\"\"} 1.5e3 1700000000000\n"
                    + "plain_total 42\nnan_gauge NaN\ninf_gauge +Inf\n\nbroken_line\n").getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        http.start();

        assumeTrue(hasCommand("openssl"), "openssl makes the test certificate and is the witness");
        certPem = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem"), p12 = dir.resolve("server.p12");
        run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key.toString(), "-out", certPem.toString(),
                "-days", "30", "-subj", "/CN=localhost/O=hostql test/OU=tables",
                "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                "-addext", "keyUsage=digitalSignature,keyEncipherment", "-addext", "extendedKeyUsage=serverAuth,clientAuth");
        run("openssl", "pkcs12", "-export", "-in", certPem.toString(), "-inkey", key.toString(), "-out", p12.toString(), "-passout", "pass:test");
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (FileInputStream in = new FileInputStream(p12.toFile())) {
            ks.load(in, "test".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "test".toCharArray());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), null, null);
        https = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        https.setHttpsConfigurator(new HttpsConfigurator(tls));
        https.createContext("/", ex -> {
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        https.start();
    }

    @AfterAll
    static void stop() {
        if (http != null) http.stop(0);
        if (https != null) https.stop(0);
        AgentInfo.setConfig("", false, null);
    }

    static String httpUrl(String path) {
        return "http://127.0.0.1:" + http.getAddress().getPort() + path;
    }

    @Test
    void curlGetsWhatTheCurlProgramGets() {
        assumeTrue(hasCommand("curl"), "curl is the witness");
        String url = httpUrl("/hello");
        Map<String, Object> row = rows("SELECT * FROM curl WHERE url = ?", url).get(0);
        String[] witness = run("curl", "-s", "-o", "/dev/null", "-w", "%{http_code} %{size_download}", url).split(" ");
        assertThat(row).containsEntry("url", url).containsEntry("method", "GET").containsEntry("user_agent", "osquery")
                .containsEntry("response_code", Long.parseLong(witness[0])).containsEntry("bytes", Long.parseLong(witness[1]))
                .containsEntry("result", run("curl", "-s", url));
        assertThat((Long) row.get("round_trip_time")).isPositive().isLessThan(TimeUnit.SECONDS.toMicros(10));
        assertThat(userAgents).contains("osquery");

        rows("SELECT response_code FROM curl WHERE url = ? AND user_agent = 'hostql-test/1'", url);
        assertThat(userAgents).contains("hostql-test/1");
        // redirects are not followed, as osquery's client; several urls give a row each
        List<Map<String, Object>> two = rows("SELECT url, response_code FROM curl WHERE url IN (?, ?) ORDER BY url", url, httpUrl("/moved"));
        assertThat(two).extracting(r -> r.get("response_code")).containsExactly(200L, 302L);
    }

    @Test
    void curlNeedsAUrlAndAFailedRequestStillGivesItsRow() throws Exception {
        assertThatThrownBy(() -> rows("SELECT * FROM curl")).hasMessageContaining("url");
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        Map<String, Object> row = rows("SELECT * FROM curl WHERE url = ?", "http://127.0.0.1:" + closed + "/").get(0);
        assertThat(row).containsEntry("method", "GET").containsEntry("response_code", null).containsEntry("result", null);
        // TLS is verified: the test server's self-signed certificate is refused, as curl refuses it
        String self = "https://localhost:" + https.getAddress().getPort() + "/";
        assertThat(rows("SELECT response_code FROM curl WHERE url = ?", self).get(0).get("response_code")).isNull();
        assertThat(run("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", self)).isEqualTo("000");
    }

    @Test
    void curlCertificateShowsThePeersCertificateAsOpensslDoes() {
        String hostname = "localhost:" + https.getAddress().getPort();
        Map<String, Object> row = rows("SELECT * FROM curl_certificate WHERE hostname = ?", hostname).get(0);
        // the witness: the certificate openssl s_client receives from the same server, printed by openssl x509
        String text = run("sh", "-c", "openssl s_client -connect 127.0.0.1:" + https.getAddress().getPort()
                + " -servername localhost </dev/null 2>/dev/null | openssl x509 -noout -text -serial -fingerprint -sha256 -startdate -enddate");
        Map<String, String> x = opensslFields(text);
        assertThat(row).containsEntry("hostname", hostname).containsEntry("common_name", "localhost")
                .containsEntry("organization", "hostql test").containsEntry("organization_unit", "tables")
                .containsEntry("issuer_common_name", "localhost").containsEntry("issuer_organization", "hostql test")
                .containsEntry("serial_number", x.get("serial"))
                .containsEntry("sha256_fingerprint", x.get("sha256 Fingerprint").replace(":", "").toLowerCase())
                .containsEntry("valid_from", x.get("notBefore")).containsEntry("valid_to", x.get("notAfter"))
                .containsEntry("version", 3L).containsEntry("signature_algorithm", "RSA-SHA256")
                .containsEntry("signature", x.get("Signature Value"))
                .containsEntry("subject_key_identifier", x.get("X509v3 Subject Key Identifier"))
                .containsEntry("authority_key_identifier", x.get("X509v3 Authority Key Identifier"))
                .containsEntry("key_usage", x.get("X509v3 Key Usage"))
                .containsEntry("extended_key_usage", x.get("X509v3 Extended Key Usage"))
                .containsEntry("subject_alternative_names", x.get("X509v3 Subject Alternative Name"))
                .containsEntry("basic_constraint", x.get("X509v3 Basic Constraints"))
                .containsEntry("has_expired", 0L).containsEntry("policies", "").containsEntry("name_constraints", "");
        assertThat(row.get("sha1_fingerprint")).isEqualTo(
                run("openssl", "x509", "-in", certPem.toString(), "-noout", "-fingerprint", "-sha1").strip().replaceAll(".*=", "").replace(":", "").toLowerCase());
        assertThat(row).doesNotContainKey("timeout"); // hidden
    }

    @Test
    void curlCertificateDumpsThePemAndSkipsHostsItCannotReach() throws Exception {
        String hostname = "127.0.0.1:" + https.getAddress().getPort();
        Map<String, Object> row = rows("SELECT pem, dump_certificate, timeout FROM curl_certificate WHERE hostname = ? AND dump_certificate = 1 AND timeout = 2",
                hostname).get(0);
        assertThat(row).containsEntry("dump_certificate", 1L).containsEntry("timeout", 2L).containsEntry("pem", Files.readString(certPem));
        assertThat(rows("SELECT pem FROM curl_certificate WHERE hostname = ?", hostname).get(0).get("pem")).isNull();
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        assertThat(rows("SELECT * FROM curl_certificate WHERE hostname IN (?, ?)", hostname, "127.0.0.1:" + closed)).hasSize(1);
        assertThatThrownBy(() -> rows("SELECT * FROM curl_certificate")).hasMessageContaining("hostname");
    }

    /** openssl x509 -text and the one-line options: "key=value" lines, and each "X509v3 …:" header with its indented value lines. */
    private static Map<String, String> opensslFields(String text) {
        Map<String, String> out = new HashMap<>();
        String[] lines = text.split("\n");
        for (int i = 0; i < lines.length; i++) {
            String l = lines[i];
            if (!l.startsWith(" ") && l.contains("=")) {
                out.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1));
                continue;
            }
            String t = l.strip();
            if ((t.startsWith("X509v3 ") && !t.equals("X509v3 extensions:") || t.equals("Signature Value:")) && t.contains(":")) {
                String name = t.substring(0, t.indexOf(':'));
                int indent = l.indexOf(t.charAt(0));
                StringBuilder v = new StringBuilder();
                while (i + 1 < lines.length && lines[i + 1].length() - lines[i + 1].stripLeading().length() > indent) {
                    if (v.length() > 0 && !name.equals("Signature Value")) v.append(';');
                    v.append(lines[++i].strip());
                }
                out.put(name, v.toString());
            }
        }
        return out;
    }

    @Test
    void prometheusMetricsParsesTheExpositionFormatAsAScraperWould() throws Exception {
        String url = httpUrl("/metrics");
        List<Map<String, Object>> rows = generate(new PrometheusMetricsTable(() -> json("{\"timeout\": 2, \"urls\": [\"" + url + "\"]}")));
        assertThat(rows).extracting(r -> r.get("metric_name"))
                .containsExactly("odd_metric{path=\"/a b\",q=\"say \\\"hi\\\"\"}", "plain_total", "nan_gauge", "inf_gauge");
        assertThat(rows.get(0)).containsEntry("target_name", url).containsEntry("metric_value", 1500.0);
        assertThat(rows.get(1)).containsEntry("metric_value", 42.0);
        assertThat((Double) rows.get(2).get("metric_value")).isNaN();
        assertThat(rows.get(3)).containsEntry("metric_value", Double.POSITIVE_INFINITY);
        assertThat((Long) rows.get(0).get("timestamp_ms")).isCloseTo(System.currentTimeMillis(), org.assertj.core.data.Offset.offset(60_000L));
        // no config, a config without urls, and a target that does not answer: no rows, no error
        assertThat(generate(new PrometheusMetricsTable(() -> null))).isEmpty();
        assertThat(generate(new PrometheusMetricsTable(() -> json("{\"timeout\": 1}")))).isEmpty();
        assertThat(generate(new PrometheusMetricsTable(() -> json("{\"urls\": [\"http://127.0.0.1:1/metrics\"]}")))).isEmpty();
    }

    @Test
    void prometheusMetricsScrapesNodeExporterAsTheConfigTellsIt() throws Exception {
        assumeTrue(hasCommand("prometheus-node-exporter"), "Debian's prometheus-node-exporter is the target");
        assumeTrue(hasCommand("curl"), "curl is the witness");
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String url = "http://127.0.0.1:" + port + "/metrics";
        ProcessBuilder pb = new ProcessBuilder("prometheus-node-exporter", "--web.listen-address=127.0.0.1:" + port,
                "--collector.disable-defaults", "--collector.loadavg", "--collector.uname")
                .redirectErrorStream(true).redirectOutput(dir.resolve("exporter.log").toFile());
        try (Child exporter = new Child(pb.start())) {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (run("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", url).equals("000") && System.nanoTime() < end) Thread.sleep(100);
            // the daemon hands its config to the tables; a shell has none
            AgentInfo.setConfig("test", true, json("{\"prometheus_targets\": {\"timeout\": 2, \"urls\": [\"" + url + "\"]}}"));
            List<Map<String, Object>> rows = rows("SELECT * FROM prometheus_metrics WHERE target_name = ?", url);
            Set<String> witness = new HashSet<>();
            Map<String, String> values = new HashMap<>();
            for (String line : run("curl", "-s", url).split("\n")) {
                if (line.isEmpty() || line.startsWith("#")) continue;
                String name = line.substring(0, line.lastIndexOf(' '));
                witness.add(name);
                values.put(name, line.substring(line.lastIndexOf(' ') + 1));
            }
            assertThat(rows).extracting(r -> (String) r.get("metric_name")).containsExactlyInAnyOrderElementsOf(witness);
            Map<String, Object> uname = rows.stream().filter(r -> ((String) r.get("metric_name")).startsWith("node_uname_info{")).findFirst().orElseThrow();
            assertThat(uname.get("metric_name")).asString().contains("sysname=\"Linux\"").contains("release=\"" + run("uname", "-r").strip() + "\"");
            assertThat(uname).containsEntry("metric_value", 1.0);
            assertThat(rows("SELECT metric_value FROM prometheus_metrics WHERE metric_name LIKE 'node_load1'")).hasSize(1);
            assertThat(exporter.process().isAlive()).isTrue();
        } finally {
            AgentInfo.setConfig("", false, null);
        }
        assertThat(rows("SELECT * FROM prometheus_metrics")).isEmpty();
    }

    private static com.fasterxml.jackson.databind.JsonNode json(String s) {
        try {
            return new ObjectMapper().readTree(s);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
