package io.hostql.tables.security;

import static io.hostql.tables.TableTests.generate;
import static io.hostql.tables.TableTests.generateWhere;
import static io.hostql.tables.TableTests.hasCommand;
import static io.hostql.tables.TableTests.rows;
import static io.hostql.tables.TableTests.run;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * certificates against OpenSSL on the same files: the system CA bundle, and certificates the
 * test makes with openssl (names that need escaping, EC and Ed25519 keys, a CA and the leaf it
 * signs, PEM, DER and a directory).
 */
class CertificatesTableTest {
    static final String[] COLUMNS = {"common_name", "subject", "subject2", "issuer", "issuer2", "ca", "self_signed",
            "not_valid_before", "not_valid_after", "signing_algorithm", "key_algorithm", "key_strength", "key_usage",
            "subject_key_id", "authority_key_id", "sha1", "serial"};
    static final String[] WITNESSED = {"subject", "subject2", "issuer", "issuer2", "ca", "self_signed",
            "not_valid_before", "not_valid_after", "signing_algorithm", "key_algorithm", "key_strength", "key_usage",
            "subject_key_id", "authority_key_id", "sha1", "serial"};

    @TempDir
    static Path dir;
    static Path bundle;
    static Path der;

    @BeforeAll
    static void makeCertificates() throws Exception {
        Assumptions.assumeTrue(hasCommand("openssl") && hasCommand("python3"), "openssl (and libcrypto through python3) is the witness");
        // a CA with a name that needs every kind of escaping, and a multi-valued RDN
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", dir.resolve("ca.key").toString(),
                "-out", dir.resolve("ca.pem").toString(), "-days", "30", "-utf8",
                "-subj", "/C=DE/O=hostql a\\+b, c\"d;e<f>g\\\\h=i\\/j/CN=hostql café € CA/OU=#lead/emailAddress=ca@example.org/serialNumber=12+title=t",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign,digitalSignature");
        // a leaf signed by it: not a CA, not self-signed, its authority key id is the CA's key id
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:secp384r1", "-nodes",
                "-keyout", dir.resolve("leaf.key").toString(), "-out", dir.resolve("leaf.csr").toString(), "-subj", "/CN=hostql leaf/O=hostql");
        Files.writeString(dir.resolve("leaf.ext"), "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyAgreement\n"
                + "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n");
        openssl("x509", "-req", "-in", dir.resolve("leaf.csr").toString(), "-CA", dir.resolve("ca.pem").toString(),
                "-CAkey", dir.resolve("ca.key").toString(), "-set_serial", "0x00ab", "-days", "10",
                "-extfile", dir.resolve("leaf.ext").toString(), "-out", dir.resolve("leaf.pem").toString());
        // an Ed25519 self-signed certificate without key usage
        openssl("req", "-x509", "-newkey", "ed25519", "-nodes", "-keyout", dir.resolve("ed.key").toString(),
                "-out", dir.resolve("ed.pem").toString(), "-days", "5", "-subj", "/CN=hostql ed25519");
        bundle = dir.resolve("bundle.pem");
        Files.writeString(bundle, "junk before\n" + Files.readString(dir.resolve("ca.pem")) + "text between\n"
                + Files.readString(dir.resolve("leaf.pem")) + Files.readString(dir.resolve("ed.pem")));
        der = dir.resolve("leaf.der");
        openssl("x509", "-in", dir.resolve("leaf.pem").toString(), "-outform", "DER", "-out", der.toString());
        Files.createDirectories(dir.resolve("certdir"));
        Files.copy(dir.resolve("ca.pem"), dir.resolve("certdir/ca.pem"));
        Files.copy(der, dir.resolve("certdir/leaf.der"));
        Files.createSymbolicLink(dir.resolve("certdir/1a2b3c4d.0"), dir.resolve("certdir/ca.pem"));
        Files.writeString(dir.resolve("certdir/README"), "not a certificate\n");
    }

    private static void openssl(String... args) {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        run(cmd.toArray(new String[0]));
    }

    /** Every row agrees with OpenSSL on every column, and there is one row per certificate. */
    private static void assertAgree(List<Map<String, Object>> rows, Path pemFile) {
        Map<String, Map<String, Object>> expected = OpensslWitness.certificates(pemFile);
        assertThat(rows).hasSize(expected.size());
        for (Map<String, Object> r : rows) {
            Map<String, Object> e = expected.get(r.get("sha1"));
            assertThat(e).as("openssl knows " + r.get("subject2")).isNotNull();
            for (String c : WITNESSED) assertThat(r.get(c)).as(r.get("subject2") + ": " + c).isEqualTo(e.get(c));
        }
    }

    @Test
    void systemBundleAgreesWithOpenssl() {
        Path system = Path.of("/etc/ssl/certs/ca-certificates.crt");
        Assumptions.assumeTrue(Files.isRegularFile(system), "Debian's CA bundle (ca-certificates) is there");
        List<Map<String, Object>> r = rows("SELECT * FROM certificates");
        assertThat(r).isNotEmpty().allSatisfy(m -> assertThat(m).containsEntry("path", system.toString()));
        assertAgree(r, system);
        // every root of the bundle is a self-signed CA
        assertThat(rows("SELECT count(*) AS n FROM certificates WHERE ca = 1").get(0).get("n")).isEqualTo((long) r.size());
    }

    @Test
    void generatedCertificatesAgreeWithOpenssl() {
        List<Map<String, Object>> r = rows("SELECT * FROM certificates WHERE path = ?", bundle.toString());
        assertAgree(r, bundle);
        assertThat(r).extracting(m -> m.get("common_name"))
                .containsExactly("hostql café € CA", "hostql leaf", "hostql ed25519");
        Map<String, Object> ca = r.get(0), leaf = r.get(1), ed = r.get(2);
        assertThat(ca).containsEntry("ca", 1L).containsEntry("self_signed", 1L).containsEntry("key_strength", "2048")
                .containsEntry("key_usage", "CRL Sign, Key Cert Sign, Digital Signature");
        assertThat(leaf).containsEntry("ca", 0L).containsEntry("self_signed", 0L).containsEntry("serial", "AB")
                .containsEntry("key_algorithm", "id-ecPublicKey").containsEntry("key_strength", "secp384r1")
                .containsEntry("authority_key_id", ca.get("subject_key_id")).containsEntry("issuer", ca.get("subject"));
        assertThat(ed).containsEntry("key_algorithm", "ED25519").containsEntry("signing_algorithm", "ED25519")
                .containsEntry("key_strength", "").containsEntry("key_usage", "");
        assertThat((String) ca.get("subject")).contains("\\+b, c\"d;e<f>g\\h=i\\/j").contains("caf\\xC3\\xA9").contains("/title=t+serialNumber=12");
        assertThat((String) ca.get("subject2")).contains("O = \"hostql a+b, c\\\"d;e<f>g\\\\h=i/j\"").contains("title = t + serialNumber = 12");
    }

    @Test
    void derFilesAndDirectories() throws Exception {
        List<Map<String, Object>> fromDer = generateWhere(new CertificatesTable(), "path", der.toString());
        assertThat(fromDer).hasSize(1);
        assertThat(fromDer.get(0)).containsEntry("common_name", "hostql leaf").containsEntry("path", der.toString());
        // a directory: each certificate once (the hash link is the CA again), other files ignored
        Path certdir = dir.resolve("certdir");
        List<Map<String, Object>> fromDir = generateWhere(new CertificatesTable(), "path", certdir.toString());
        assertThat(fromDir).extracting(m -> m.get("common_name")).containsExactlyInAnyOrder("hostql café € CA", "hostql leaf");
        assertThat(fromDir).allSatisfy(m -> assertThat(m).containsEntry("path", certdir.toString()));
        // the leaf reads the same from DER as from PEM
        Map<String, Object> pemLeaf = generateWhere(new CertificatesTable(), "path", dir.resolve("leaf.pem").toString()).get(0);
        for (String c : COLUMNS) assertThat(fromDer.get(0).get(c)).as(c).isEqualTo(pemLeaf.get(c));
    }

    @Test
    void absentOrBrokenSourcesGiveNoRows() throws Exception {
        assertThat(generate(new CertificatesTable(List.of(dir.resolve("missing.crt").toString())))).isEmpty();
        assertThat(rows("SELECT * FROM certificates WHERE path = ?", dir.resolve("certdir/README").toString())).isEmpty();
        Path broken = dir.resolve("broken.pem");
        String ca = Files.readString(dir.resolve("ca.pem"));
        // a damaged block is skipped, the next one still counts
        Files.writeString(broken, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n" + ca);
        assertThat(generateWhere(new CertificatesTable(), "path", broken.toString())).hasSize(1);
    }

    @Test
    void fleetStyleQueries() {
        // expiring-certificate audit: LIKE, a time window, an IN list of paths, a UNION with another table
        List<Map<String, Object>> r = rows("SELECT common_name, not_valid_after - strftime('%s','now') AS left FROM certificates "
                + "WHERE path IN (?, ?) AND common_name LIKE 'hostql%' AND not_valid_after < strftime('%s','now') + 86400 * 20",
                bundle.toString(), der.toString());
        assertThat(r).extracting(m -> m.get("common_name")).containsExactlyInAnyOrder("hostql leaf", "hostql leaf", "hostql ed25519");
        assertThat(rows("SELECT name FROM (SELECT common_name AS name FROM certificates WHERE path = ? "
                + "UNION SELECT 'x' AS name FROM carbon_black_info) ORDER BY name", der.toString()))
                .extracting(m -> m.get("name")).containsExactly("hostql leaf");
        assertThat(rows("SELECT type FROM pragma_table_info('certificates') WHERE name = 'not_valid_after'").get(0))
                .containsEntry("type", "DATETIME");
    }

    @Test
    void serialsAndKeyUsageAsOpensslPrintsThem() {
        assertThat(Certificates.serial(java.math.BigInteger.ZERO)).isEqualTo("0");
        assertThat(Certificates.serial(java.math.BigInteger.valueOf(0xab))).isEqualTo("AB");
        assertThat(Certificates.serial(java.math.BigInteger.valueOf(0x1ab))).isEqualTo("01AB");
        assertThat(Certificates.serial(java.math.BigInteger.valueOf(-5))).isEqualTo("-05");
        assertThat(Certificates.keyUsageText(-1)).isEmpty();
        assertThat(Certificates.keyUsageText(0x80 | 0x04 | 0x02 | 0x8000)).isEqualTo("CRL Sign, Key Cert Sign, Digital Signature, Decipher Only");
    }
}
