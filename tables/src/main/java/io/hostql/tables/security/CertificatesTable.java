package io.hostql.tables.security;

import static io.hostql.sql.table.ColumnOption.ADDITIONAL;
import static io.hostql.sql.table.ColumnType.TEXT;
import static io.hostql.sql.table.ColumnOption.OPTIMIZED;

import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import io.hostql.tables.os.Dirs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * certificates: the CA bundles osquery reads on Linux, or the files a {@code path} constraint names.
 * A path may be a PEM bundle, a DER certificate, or a directory (every file directly in it, each
 * certificate once: /etc/ssl/certs holds the same certificate under several names). The path
 * column is the path as asked, as osquery sets it. Missing or unreadable files give no rows, and a
 * damaged PEM block is skipped (OpenSSL's PEM_X509_INFO_read_bio, which osquery uses, drops the
 * whole file). common_name is the CN's text; osquery copies its raw bytes, which differ only for
 * a CN encoded as BMPString or UniversalString. The Windows-only columns are hidden and NULL.
 */
public final class CertificatesTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("certificates",
                    "Certificate Authorities installed in Keychains/ca-bundles.")
            .text("common_name").text("subject").text("subject2").text("issuer").text("issuer2").integer("ca")
            .integer("self_signed").datetime("not_valid_before").datetime("not_valid_after").text("signing_algorithm")
            .text("key_algorithm").text("key_strength").text("key_usage").text("subject_key_id").text("authority_key_id")
            .text("sha1").text("path", ADDITIONAL, OPTIMIZED).text("serial")
            .otherPlatform("windows", TEXT, "sid", "store_location", "store", "username", "store_id")
            .build();

    /** osquery's Linux bundles (RHEL/Fedora, Debian/Ubuntu/Alpine), and SUSE's. */
    static final List<String> DEFAULT_BUNDLES = List.of("/etc/pki/tls/certs/ca-bundle.crt",
            "/etc/ssl/certs/ca-certificates.crt", "/var/lib/ca-certificates/ca-bundle.pem");

    /** Bigger files are not certificates; they are not read. */
    static final long MAX_FILE = 64L << 20;

    private final List<String> defaults;

    public CertificatesTable() {
        this(DEFAULT_BUNDLES);
    }

    /** defaults: the bundles read without a path constraint (tests). */
    CertificatesTable(List<String> defaults) {
        this.defaults = defaults;
    }

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) throws Exception {
        Set<String> asked = ctx.equalsText("path");
        for (String p : asked.isEmpty() ? defaults : asked) {
            Path path;
            try {
                path = Path.of(p);
            } catch (InvalidPathException e) {
                continue;
            }
            List<X509Certificate> certs = new ArrayList<>();
            if (Files.isDirectory(path)) {
                Set<String> seen = new HashSet<>();
                for (Path f : Dirs.sorted(path)) {
                    for (X509Certificate c : readFile(f)) if (seen.add(sha1Hex(c))) certs.add(c);
                }
            } else {
                certs.addAll(readFile(path));
            }
            for (X509Certificate c : certs) emit(rows, p, c);
        }
    }

    private static List<X509Certificate> readFile(Path f) {
        try {
            if (!Files.isRegularFile(f) || Files.size(f) > MAX_FILE) return List.of();
            return Certificates.read(Files.readAllBytes(f));
        } catch (IOException | SecurityException e) {
            return List.of(); // unreadable or vanished
        }
    }

    private static String sha1Hex(X509Certificate c) {
        try {
            return java.util.HexFormat.of().formatHex(Certificates.sha1(c.getEncoded()));
        } catch (CertificateException e) {
            return c.toString();
        }
    }

    private static void emit(RowSink rows, String path, X509Certificate c) {
        Certificates.Info i;
        try {
            i = Certificates.info(c);
        } catch (CertificateException | RuntimeException e) {
            return; // a certificate the JDK parsed but whose parts are malformed
        }
        rows.add().set("common_name", i.commonName()).set("subject", i.subject()).set("subject2", i.subject2())
                .set("issuer", i.issuer()).set("issuer2", i.issuer2()).set("ca", i.ca() ? 1 : 0)
                .set("self_signed", i.selfSigned() ? 1 : 0).set("not_valid_before", i.notValidBefore())
                .set("not_valid_after", i.notValidAfter()).set("signing_algorithm", i.signingAlgorithm())
                .set("key_algorithm", i.keyAlgorithm()).set("key_strength", i.keyStrength()).set("key_usage", i.keyUsage())
                .set("subject_key_id", i.subjectKeyId()).set("authority_key_id", i.authorityKeyId()).set("sha1", i.sha1())
                .set("path", path).set("serial", i.serial());
    }
}
