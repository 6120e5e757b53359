package io.hostql.tables.cloud;

import static io.hostql.tables.TableTests.generate;
import static io.hostql.tables.TableTests.hasCommand;
import static io.hostql.tables.TableTests.isRoot;
import static io.hostql.tables.TableTests.rows;
import static io.hostql.tables.TableTests.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.hostql.os.Libc;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cloud tables against a metadata server this test runs on 169.254.169.254, inside a network
 * namespace of its own that has only a loopback interface (made with ip netns; root only). The tables'
 * code runs in a thread moved into that namespace with setns(2): their sockets are made by the querying
 * thread, so the requests can only reach that namespace's loopback, and nothing leaves the machine.
 * Fixture-only content: no cloud is reachable here, so the answers are the ones AWS, Azure and Yandex
 * Cloud document, served by the test; the protocol (IMDSv2 token first, the headers) is what is checked.
 */
class CloudMetadataTest {
    private static final int CLONE_NEWNET = 0x40000000;
    static final String CLOUD = "hostql-cloud-" + ProcessHandle.current().pid();
    static final String NO_CLOUD = "hostql-nocloud-" + ProcessHandle.current().pid();
    static final String TOKEN = "AQAEAHostqlTestToken==";
    static HttpServer server;
    static volatile boolean imdsV1Only;
    static final List<String> requests = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void namespaces() throws Exception {
        assumeTrue(isRoot(), "network namespaces need root");
        assumeTrue(hasCommand("ip"), "ip (iproute2) makes the namespaces");
        run("ip", "netns", "add", CLOUD);
        run("ip", "netns", "add", NO_CLOUD);
        run("ip", "-n", CLOUD, "link", "set", "lo", "up");
        run("ip", "-n", NO_CLOUD, "link", "set", "lo", "up");
        run("ip", "-n", CLOUD, "addr", "add", MetadataClient.LINK_LOCAL + "/32", "dev", "lo");
        server = inNamespace(CLOUD, () -> {
            HttpServer s = HttpServer.create(new InetSocketAddress(MetadataClient.LINK_LOCAL, 80), 0);
            s.createContext("/", CloudMetadataTest::serve);
            s.start();
            return s;
        });
    }

    @AfterAll
    static void cleanup() {
        if (server != null) server.stop(0);
        if (isRoot() && hasCommand("ip")) {
            run("ip", "netns", "del", CLOUD);
            run("ip", "netns", "del", NO_CLOUD);
        }
    }

    /** Runs body in a new thread that has joined the named network namespace (setns moves only the calling thread). */
    static <T> T inNamespace(String name, Callable<T> body) throws Exception {
        AtomicReference<Object> out = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                int fd = Libc.open(("/run/netns/" + name + "\0").getBytes(StandardCharsets.US_ASCII), Libc.O_RDONLY | Libc.O_CLOEXEC);
                if (fd < 0) throw new IllegalStateException("cannot open /run/netns/" + name);
                try {
                    if (Libc.setns(fd, CLONE_NEWNET) != 0) throw new IllegalStateException("setns into " + name + " refused");
                } finally {
                    Libc.close(fd);
                }
                out.set(body.call());
            } catch (Throwable e) {
                out.set(e);
            }
        }, "netns-" + name);
        t.start();
        t.join();
        if (out.get() instanceof Throwable e) throw new AssertionError("in namespace " + name + ": " + e, e);
        @SuppressWarnings("unchecked")
        T result = (T) out.get();
        return result;
    }

    // ---- the metadata server: what AWS, Azure and Yandex Cloud document their services answer ----

    static void serve(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().toString();
        String token = ex.getRequestHeaders().getFirst(Ec2Metadata.TOKEN_HEADER);
        requests.add(ex.getRequestMethod() + " " + path + (token != null ? " token" : ""));
        if (path.startsWith("/latest/")) {
            if (path.equals("/latest/api/token")) {
                if (!ex.getRequestMethod().equals("PUT") || imdsV1Only) respond(ex, 403, "");
                else if (ex.getRequestHeaders().getFirst(Ec2Metadata.TOKEN_TTL_HEADER) == null) respond(ex, 400, "");
                else respond(ex, 200, TOKEN);
                return;
            }
            if (!imdsV1Only && !TOKEN.equals(token)) {
                respond(ex, 401, "");
                return;
            }
            String body = switch (path.substring("/latest/".length())) {
                case "dynamic/instance-identity/document" -> """
                        {"accountId":"123456789012","architecture":"x86_64","availabilityZone":"eu-west-1b","imageId":"ami-0abcdef1234567890",
                         "instanceId":"i-0123456789abcdef0","instanceType":"t3.micro","privateIp":"10.0.1.23","region":"eu-west-1",
                         "version":"2017-09-30"}""";
                case "meta-data/iam/info" -> "{\"Code\":\"Success\",\"InstanceProfileArn\":\"arn:aws:iam::123456789012:instance-profile/hostql\"}";
                case "meta-data/mac" -> "0a:1b:2c:3d:4e:5f";
                case "meta-data/local-hostname" -> "ip-10-0-1-23.eu-west-1.compute.internal";
                case "meta-data/public-keys/0/openssh-key" -> "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHostql test@hostql\n";
                case "meta-data/reservation-id" -> "r-0fedcba9876543210";
                case "meta-data/security-groups" -> "web\nssh";
                case "meta-data/tags/instance" -> "Name\nteam";
                case "meta-data/tags/instance/Name" -> "web-1";
                case "meta-data/tags/instance/team" -> "security";
                default -> null;
            };
            respond(ex, body == null ? 404 : 200, body == null ? "" : body);
        } else if (path.equals("/metadata/instance/compute?api-version=2018-02-01")) {
            if (!"true".equals(ex.getRequestHeaders().getFirst("Metadata"))) {
                respond(ex, 400, "{\"error\":\"Bad request. Required metadata header not specified\"}");
                return;
            }
            respond(ex, 200, """
                    {"location":"westeurope","name":"vm-hostql","offer":"debian-12","osType":"Linux","placementGroupId":"",
                     "platformFaultDomain":"0","platformUpdateDomain":"0","publisher":"Debian","resourceGroupName":"rg-hostql",
                     "sku":"12-gen2","subscriptionId":"8d10da13-8125-4ba9-a717-bf7490507b3d","tags":"env:prod;owner:a:b",
                     "version":"0.20231004.1523","vmId":"02aab8a4-74ef-476e-8182-f6d2ba4166a6","vmScaleSetName":"","vmSize":"Standard_B1s",
                     "zone":"1"}""");
        } else if (path.equals(YcloudInstanceMetadataTable.PATH)) {
            if (!"Google".equals(ex.getRequestHeaders().getFirst("Metadata-Flavor"))) {
                respond(ex, 403, "");
                return;
            }
            respond(ex, 200, """
                    {"id":"fhm1234567890abcdefg","name":"hostql-vm","description":"test vm","hostname":"hostql-vm.ru-central1.internal",
                     "zone":"projects/b1g0000000000000000/zones/ru-central1-a","vendor":{"folderId":"b1gfolder","cloudId":"b1gcloud"},
                     "attributes":{"ssh-keys":"admin:ssh-ed25519 AAAAkey admin","serial-port-enable":"1"}}""");
        } else {
            respond(ex, 404, "");
        }
    }

    static void respond(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
        if (b.length > 0) ex.getResponseBody().write(b);
        ex.close();
    }

    // ---- tests ----

    @Test
    void ec2MetadataAsksForAnImdsV2TokenFirstAndSendsItWithEveryGet() throws Exception {
        requests.clear();
        Map<String, Object> r = inNamespace(CLOUD, () -> rows("SELECT * FROM ec2_instance_metadata")).get(0);
        assertThat(r).containsEntry("instance_id", "i-0123456789abcdef0").containsEntry("instance_type", "t3.micro")
                .containsEntry("architecture", "x86_64").containsEntry("region", "eu-west-1").containsEntry("availability_zone", "eu-west-1b")
                .containsEntry("local_ipv4", "10.0.1.23").containsEntry("account_id", "123456789012").containsEntry("ami_id", "ami-0abcdef1234567890")
                .containsEntry("iam_arn", "arn:aws:iam::123456789012:instance-profile/hostql").containsEntry("mac", "0a:1b:2c:3d:4e:5f")
                .containsEntry("local_hostname", "ip-10-0-1-23.eu-west-1.compute.internal").containsEntry("reservation_id", "r-0fedcba9876543210")
                .containsEntry("security_groups", "web,ssh").containsEntry("ssh_public_key", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHostql test@hostql");
        assertThat(requests.get(0)).isEqualTo("PUT /latest/api/token");
        assertThat(requests.subList(1, requests.size())).isNotEmpty().allMatch(q -> q.startsWith("GET /latest/") && q.endsWith(" token"));
    }

    @Test
    void ec2TagsComeFromTheMetadataServiceAndJoinTheInstance() throws Exception {
        List<Map<String, Object>> tags = inNamespace(CLOUD, () -> rows(
                "SELECT t.instance_id, t.key, t.value FROM ec2_instance_metadata m JOIN ec2_instance_tags t USING (instance_id) ORDER BY t.key"));
        assertThat(tags).extracting(t -> t.get("instance_id") + " " + t.get("key") + "=" + t.get("value"))
                .containsExactly("i-0123456789abcdef0 Name=web-1", "i-0123456789abcdef0 team=security");
        assertThat(inNamespace(CLOUD, () -> rows("SELECT value FROM ec2_instance_tags WHERE key LIKE 'N%'")))
                .extracting(t -> t.get("value")).containsExactly("web-1");
    }

    @Test
    void ec2FallsBackToImdsV1WhenTheServiceRefusesTokens() throws Exception {
        imdsV1Only = true;
        try {
            requests.clear();
            assertThat(inNamespace(CLOUD, () -> rows("SELECT instance_id FROM ec2_instance_metadata")))
                    .extracting(r -> r.get("instance_id")).containsExactly("i-0123456789abcdef0");
            assertThat(requests.subList(1, requests.size())).noneMatch(q -> q.endsWith(" token"));
            // --aws_disable_imdsv1_fallback: no token, no request beyond the PUT, no row
            requests.clear();
            assertThat(inNamespace(CLOUD, () -> generate(new Ec2InstanceMetadataTable(false)))).isEmpty();
            assertThat(requests).containsExactly("PUT /latest/api/token");
        } finally {
            imdsV1Only = false;
        }
    }

    @Test
    void azureMetadataAndTagsOnAHostWithTheAzureAgentsLog(@TempDir Path dir) throws Exception {
        Path waagent = Files.writeString(dir.resolve("waagent.log"), "2026/12/06 WALinuxAgent started\n");
        List<Map<String, Object>> meta = inNamespace(CLOUD, () -> generate(new AzureInstanceMetadataTable(waagent, AzureMetadata.ENDPOINT)));
        assertThat(meta).hasSize(1);
        assertThat(meta.get(0)).containsEntry("vm_id", "02aab8a4-74ef-476e-8182-f6d2ba4166a6").containsEntry("location", "westeurope")
                .containsEntry("name", "vm-hostql").containsEntry("offer", "debian-12").containsEntry("publisher", "Debian")
                .containsEntry("sku", "12-gen2").containsEntry("os_type", "Linux").containsEntry("vm_size", "Standard_B1s")
                .containsEntry("platform_fault_domain", "0").containsEntry("resource_group_name", "rg-hostql")
                .containsEntry("subscription_id", "8d10da13-8125-4ba9-a717-bf7490507b3d").containsEntry("placement_group_id", "")
                .containsEntry("zone", "1");
        List<Map<String, Object>> tags = inNamespace(CLOUD, () -> generate(new AzureInstanceTagsTable(waagent, AzureMetadata.ENDPOINT)));
        assertThat(tags).extracting(t -> t.get("key") + "=" + t.get("value")).containsExactly("env=prod", "owner=a:b");
        assertThat(tags).allMatch(t -> "02aab8a4-74ef-476e-8182-f6d2ba4166a6".equals(t.get("vm_id")));
        // without the agent's log the host is not Azure: no request at all
        requests.clear();
        assertThat(inNamespace(CLOUD, () -> generate(new AzureInstanceMetadataTable(dir.resolve("none"), AzureMetadata.ENDPOINT)))).isEmpty();
        assertThat(requests).isEmpty();
    }

    @Test
    void ycloudMetadataFromTheDefaultOrAQueriedEndpoint() throws Exception {
        Map<String, Object> r = inNamespace(CLOUD, () -> rows("SELECT * FROM ycloud_instance_metadata")).get(0);
        assertThat(r).containsEntry("instance_id", "fhm1234567890abcdefg").containsEntry("folder_id", "b1gfolder")
                .containsEntry("cloud_id", "b1gcloud").containsEntry("zone", "ru-central1-a").containsEntry("name", "hostql-vm")
                .containsEntry("description", "test vm").containsEntry("hostname", "hostql-vm.ru-central1.internal")
                .containsEntry("ssh_public_key", "admin:ssh-ed25519 AAAAkey admin").containsEntry("serial_port_enabled", "1")
                .containsEntry("metadata_endpoint", "http://169.254.169.254");
        List<Map<String, Object>> two = inNamespace(CLOUD, () -> rows(
                "SELECT metadata_endpoint FROM ycloud_instance_metadata WHERE metadata_endpoint IN ('http://169.254.169.254:80', 'http://127.0.0.1:1')"));
        assertThat(two).extracting(x -> x.get("metadata_endpoint")).containsExactly("http://169.254.169.254:80");
    }

    @Test
    void aHostWithoutACloudAnswersNoRowsWellUnderASecondAndSendsNothingOut(@TempDir Path dir) throws Exception {
        // the namespace has a loopback interface only: there is nowhere a packet could leave to
        assertThat(run("ip", "-n", NO_CLOUD, "-o", "link").strip().split("\n")).hasSize(1).allMatch(l -> l.contains(": lo:"));
        Path waagent = Files.writeString(dir.resolve("waagent.log"), "x\n"); // even past Azure's gate
        long start = System.nanoTime();
        int rows = inNamespace(NO_CLOUD, () -> rows("SELECT * FROM ec2_instance_metadata").size()
                + rows("SELECT * FROM ec2_instance_tags").size() + rows("SELECT * FROM azure_instance_metadata").size()
                + rows("SELECT * FROM azure_instance_tags").size() + rows("SELECT * FROM ycloud_instance_metadata").size()
                + generate(new AzureInstanceMetadataTable(waagent, AzureMetadata.ENDPOINT)).size()
                + generate(new AzureInstanceTagsTable(waagent, AzureMetadata.ENDPOINT)).size());
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(rows).isZero();
        assertThat(millis).as("all seven queries, in ms").isLessThan(1000);
    }
}
