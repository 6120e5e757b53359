package io.hostql.tables.fetchers;

import static io.hostql.sql.table.ColumnOption.ADDITIONAL;
import static io.hostql.sql.table.ColumnOption.HIDDEN;
import static io.hostql.sql.table.ColumnOption.OPTIMIZED;
import static io.hostql.sql.table.ColumnOption.REQUIRED;

import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * curl_certificate: the certificate a TLS server presents for hostname[:port] (default 443), as
 * osquery: the peer's own (leaf) certificate, one row per hostname, taken without verifying it (the
 * point is to inspect expired or self-signed ones), SNI sent for a name. timeout (seconds, default 4)
 * bounds the connect and each read; dump_certificate = 1 adds the PEM. A host that cannot be reached
 * gives no row and a status-log line.
 */
public final class CurlCertificateTable implements Table {
    /** Looked up when first needed: building the table registry must not start SLF4J (a shell without a provider would warn). */
    private static Logger log() {
        return LoggerFactory.getLogger(CurlCertificateTable.class);
    }
    static final int DEFAULT_TIMEOUT = 4;

    private static final TableSchema SCHEMA = TableSchema.builder("curl_certificate", "Inspect TLS certificates by connecting to input hostnames.")
            .text("hostname", REQUIRED, OPTIMIZED).text("common_name").text("organization").text("organization_unit")
            .text("serial_number").text("issuer_common_name").text("issuer_organization").text("issuer_organization_unit")
            .text("valid_from").text("valid_to").text("sha256_fingerprint").text("sha1_fingerprint").integer("version")
            .text("signature_algorithm").text("signature").text("subject_key_identifier").text("authority_key_identifier")
            .text("key_usage").text("extended_key_usage").text("policies").text("subject_alternative_names")
            .text("issuer_alternative_names").text("info_access").text("subject_info_access").text("policy_mappings")
            .integer("has_expired").text("basic_constraint").text("name_constraints").text("policy_constraints")
            .integer("dump_certificate", ADDITIONAL, HIDDEN).integer("timeout", ADDITIONAL, HIDDEN).text("pem")
            .build();

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public boolean shareable() {
        return false;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) throws Exception {
        int dump = ctx.equalsLong("dump_certificate").contains(1L) ? 1 : 0;
        int timeout = DEFAULT_TIMEOUT;
        if (!ctx.equalsLong("timeout").isEmpty()) {
            long t = ctx.equalsLong("timeout").iterator().next();
            if (t < 0 || t > Integer.MAX_VALUE / 1000) log().warn("curl_certificate: ignoring out of range timeout: {}", t);
            else timeout = (int) t;
        }
        for (String hostname : ctx.equalsText("hostname")) {
            X509Certificate cert;
            try {
                cert = peerCertificate(hostname, timeout);
            } catch (Exception e) {
                log().info("curl_certificate: cannot get certificate for {}: {}", hostname, e.getMessage());
                continue;
            }
            row(rows.add().set("hostname", hostname), cert, dump, timeout);
        }
    }

    /** osquery's split: "host:port", "host:" and "host" (port 443). */
    static X509Certificate peerCertificate(String hostname, int timeoutSeconds) throws Exception {
        String host = hostname;
        int port = 443;
        int colon = hostname.lastIndexOf(':');
        if (colon >= 0 && hostname.indexOf(':') == colon) {
            host = hostname.substring(0, colon);
            if (colon + 1 < hostname.length()) port = Integer.parseInt(hostname.substring(colon + 1));
        }
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, new TrustManager[] {TRUST_ALL}, null);
        int millis = timeoutSeconds * 1000;
        try (Socket tcp = new Socket()) {
            tcp.connect(new InetSocketAddress(host, port), millis);
            tcp.setSoTimeout(millis);
            try (SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket(tcp, host, port, false)) {
                if (!host.isEmpty() && !Character.isDigit(host.charAt(host.length() - 1)) && !host.contains(":")) {
                    SSLParameters p = s.getSSLParameters();
                    p.setServerNames(List.of(new SNIHostName(host)));
                    s.setSSLParameters(p);
                }
                s.startHandshake();
                Certificate[] chain = s.getSession().getPeerCertificates();
                return (X509Certificate) chain[0];
            }
        }
    }

    static void row(RowSink.Row r, X509Certificate cert, int dump, int timeout) throws Exception {
        r.set("common_name", CertificateText.nameEntry(cert.getSubjectX500Principal(), "CN"))
                .set("organization", CertificateText.nameEntry(cert.getSubjectX500Principal(), "O"))
                .set("organization_unit", CertificateText.nameEntry(cert.getSubjectX500Principal(), "OU"))
                .set("serial_number", CertificateText.serial(cert.getSerialNumber()))
                .set("issuer_common_name", CertificateText.nameEntry(cert.getIssuerX500Principal(), "CN"))
                .set("issuer_organization", CertificateText.nameEntry(cert.getIssuerX500Principal(), "O"))
                .set("issuer_organization_unit", CertificateText.nameEntry(cert.getIssuerX500Principal(), "OU"))
                .set("valid_from", CertificateText.time(cert.getNotBefore()))
                .set("valid_to", CertificateText.time(cert.getNotAfter()))
                .set("sha256_fingerprint", CertificateText.fingerprint(cert, "SHA-256"))
                .set("sha1_fingerprint", CertificateText.fingerprint(cert, "SHA-1"))
                .set("version", (long) cert.getVersion())
                .set("signature_algorithm", CertificateText.signatureAlgorithm(cert))
                .set("signature", CertificateText.signature(cert))
                .set("subject_key_identifier", CertificateText.subjectKeyIdentifier(cert))
                .set("authority_key_identifier", CertificateText.authorityKeyIdentifier(cert))
                .set("key_usage", CertificateText.keyUsage(cert))
                .set("extended_key_usage", CertificateText.extendedKeyUsage(cert))
                .set("policies", CertificateText.other(cert, "2.5.29.32"))
                .set("subject_alternative_names", CertificateText.generalNames(cert.getSubjectAlternativeNames()))
                .set("issuer_alternative_names", CertificateText.generalNames(cert.getIssuerAlternativeNames()))
                .set("info_access", CertificateText.other(cert, "1.3.6.1.5.5.7.1.1"))
                .set("subject_info_access", CertificateText.other(cert, "1.3.6.1.5.5.7.1.11"))
                .set("policy_mappings", CertificateText.other(cert, "2.5.29.33"))
                .set("has_expired", cert.getNotAfter().getTime() <= System.currentTimeMillis() ? 1L : 0L)
                .set("basic_constraint", CertificateText.basicConstraints(cert))
                .set("name_constraints", CertificateText.other(cert, "2.5.29.30"))
                .set("policy_constraints", CertificateText.other(cert, "2.5.29.36"))
                .set("timeout", (long) timeout).set("dump_certificate", (long) dump);
        if (dump == 1) r.set("pem", pem(cert));
    }

    static String pem(X509Certificate cert) throws Exception {
        return "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(cert.getEncoded())
                + "\n-----END CERTIFICATE-----\n";
    }

    /** The table inspects certificates, it does not trust them: any chain is accepted. */
    private static final X509TrustManager TRUST_ALL = new X509TrustManager() {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    };
}
