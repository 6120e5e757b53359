package io.hostql.remote.testserver;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Certificates made at test time with the openssl command (already a test dependency of the syslog
 * TLS tests, and in scripts/install-deps; no crypto library in the build): a CA, a server certificate
 * for localhost signed by it (with a subjectAltName, and a second one with only CN=localhost), a
 * client certificate signed by it, and a second CA nothing trusts.
 */
public final class Pki {
    public final Path dir, ca, caKey, otherCa, otherCaKey;

    private Pki(Path dir) {
        this.dir = dir;
        this.ca = dir.resolve("ca.pem");
        this.caKey = dir.resolve("ca.key");
        this.otherCa = dir.resolve("other-ca.pem");
        this.otherCaKey = dir.resolve("other-ca.key");
    }

    public static boolean available() {
        return Files.isExecutable(Path.of("/usr/bin/openssl"));
    }

    public static Pki create(Path dir) throws Exception {
        Files.createDirectories(dir);
        Pki p = new Pki(dir);
        p.openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj",
                "/CN=hostql test CA");
        p.openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "other-ca.key", "-out", "other-ca.pem", "-days", "2", "-subj",
                "/CN=an untrusted CA");
        return p;
    }

    /** A leaf certificate and key (PEM files name.pem, name.key) for cn, signed by ca (or the untrusted CA); extension: an openssl extfile line or null. */
    public Path[] issue(String name, String cn, boolean byUntrustedCa, String extension) throws Exception {
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", name + ".key", "-out", name + ".csr", "-subj", "/CN=" + cn);
        List<String> args = new java.util.ArrayList<>(List.of("x509", "-req", "-in", name + ".csr", "-CA",
                byUntrustedCa ? "other-ca.pem" : "ca.pem", "-CAkey", byUntrustedCa ? "other-ca.key" : "ca.key", "-CAcreateserial",
                "-out", name + ".pem", "-days", "2"));
        if (extension != null) {
            Files.writeString(dir.resolve(name + ".ext"), extension + "\n");
            args.addAll(List.of("-extfile", name + ".ext"));
        }
        openssl(args.toArray(new String[0]));
        return new Path[] {dir.resolve(name + ".pem"), dir.resolve(name + ".key")};
    }

    /** localhost with subjectAltName DNS:localhost, signed by the trusted CA. */
    public Path[] server() throws Exception {
        Path pem = dir.resolve("server.pem");
        if (Files.exists(pem)) return new Path[] {pem, dir.resolve("server.key")};
        return issue("server", "localhost", false, "subjectAltName=DNS:localhost");
    }

    public Path[] client() throws Exception {
        Path pem = dir.resolve("client.pem");
        if (Files.exists(pem)) return new Path[] {pem, dir.resolve("client.key")};
        return issue("client", "hostql test client", false, "extendedKeyUsage=clientAuth");
    }

    void openssl(String... args) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>();
        cmd.add("openssl");
        cmd.addAll(List.of(args));
        Process proc = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(proc.getInputStream().readAllBytes());
        if (proc.waitFor() != 0) throw new IOException("openssl failed: " + String.join(" ", cmd) + "\n" + out);
    }
}
