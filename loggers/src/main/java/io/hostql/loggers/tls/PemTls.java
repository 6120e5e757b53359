package io.hostql.loggers.tls;

import io.hostql.config.SettingsException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * An SSLContext from PEM files, as osquery and rsyslog take them: the CA bundle to trust (empty: the
 * JDK's trust store), and optionally a client certificate and its unencrypted key. The JDK wants
 * KeyStores, so they are built here in memory. Errors name the flag that points at the bad file.
 */
public final class PemTls {
    private static final char[] NO_PASSWORD = new char[0];

    private PemTls() {}

    /** Trusts the PEM certificates of caFile (named by caFlag in errors), or the JDK's trust store when it is empty. */
    public static SSLContext trusting(String caFlag, String caFile) {
        return context(caFlag, caFile, "", "", "", "");
    }

    /**
     * caFlag/certFlag/keyFlag: the flags' names, for messages. certFile and keyFile are both empty
     * (no client certificate) or both set.
     */
    public static SSLContext context(String caFlag, String caFile, String certFlag, String certFile, String keyFlag, String keyFile) {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            TrustManagerFactory tmf = null;
            if (!caFile.isEmpty()) {
                KeyStore ks = KeyStore.getInstance("PKCS12");
                ks.load(null, null);
                int n = 0;
                for (Certificate c : certificates(caFlag, caFile)) ks.setCertificateEntry("ca" + n++, c);
                tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(ks);
            }
            KeyManager[] keys = null;
            if (!certFile.isEmpty() || !keyFile.isEmpty()) {
                if (certFile.isEmpty() || keyFile.isEmpty()) {
                    throw new SettingsException(certFlag + " and " + keyFlag + " go together: set both (a client certificate and its key)"
                            + " or neither");
                }
                Collection<? extends Certificate> chain = certificates(certFlag, certFile);
                KeyStore ks = KeyStore.getInstance("PKCS12");
                ks.load(null, null);
                ks.setKeyEntry("client", privateKey(keyFlag, keyFile), NO_PASSWORD, chain.toArray(new Certificate[0]));
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(ks, NO_PASSWORD);
                keys = kmf.getKeyManagers();
            }
            ctx.init(keys, tmf == null ? null : tmf.getTrustManagers(), null);
            return ctx;
        } catch (IOException | GeneralSecurityException e) {
            throw new SettingsException("TLS setup: " + e.getMessage());
        }
    }

    static Collection<? extends Certificate> certificates(String flag, String file) throws IOException {
        try (InputStream in = Files.newInputStream(Path.of(file))) {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certs.isEmpty()) throw new SettingsException(flag + " " + file + " holds no PEM certificate");
            return certs;
        } catch (NoSuchFileException e) {
            throw new SettingsException(flag + " " + file + ": no such file");
        } catch (java.security.cert.CertificateException e) {
            throw new SettingsException(flag + " " + file + " is not a PEM certificate file: " + e.getMessage());
        } catch (IOException e) {
            throw new SettingsException(flag + " " + file + ": " + e.getMessage());
        }
    }

    /** An unencrypted PKCS#8 ("BEGIN PRIVATE KEY") or PKCS#1 RSA ("BEGIN RSA PRIVATE KEY") key, as openssl writes them. */
    static PrivateKey privateKey(String flag, String file) throws IOException {
        String pem;
        try {
            pem = Files.readString(Path.of(file), StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            throw new SettingsException(flag + " " + file + ": no such file");
        }
        byte[] der;
        if (pem.contains("-----BEGIN PRIVATE KEY-----")) {
            der = base64(pem, "PRIVATE KEY");
        } else if (pem.contains("-----BEGIN RSA PRIVATE KEY-----")) {
            der = pkcs1ToPkcs8(base64(pem, "RSA PRIVATE KEY"));
        } else {
            throw new SettingsException(flag + " " + file + " holds no unencrypted PEM private key (BEGIN PRIVATE KEY or BEGIN RSA PRIVATE KEY);"
                    + " convert it with: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8");
        }
        for (String alg : new String[] {"RSA", "EC", "Ed25519", "EdDSA"}) {
            try {
                return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException ignored) {
                // not this algorithm
            }
        }
        throw new SettingsException(flag + " " + file + ": the private key is neither RSA, EC nor Ed25519");
    }

    private static byte[] base64(String pem, String label) {
        int from = pem.indexOf("-----BEGIN " + label + "-----") + ("-----BEGIN " + label + "-----").length();
        int to = pem.indexOf("-----END " + label + "-----", from);
        if (to < 0) throw new SettingsException("the PEM block " + label + " has no END line");
        return Base64.getMimeDecoder().decode(pem.substring(from, to));
    }

    /** Wraps a PKCS#1 RSAPrivateKey in a PKCS#8 PrivateKeyInfo (version 0, rsaEncryption, the key as an OCTET STRING). */
    static byte[] pkcs1ToPkcs8(byte[] pkcs1) {
        byte[] algorithm = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};
        byte[] version = {0x02, 0x01, 0x00};
        byte[] octets = der(0x04, pkcs1);
        byte[] body = new byte[version.length + algorithm.length + octets.length];
        System.arraycopy(version, 0, body, 0, version.length);
        System.arraycopy(algorithm, 0, body, version.length, algorithm.length);
        System.arraycopy(octets, 0, body, version.length + algorithm.length, octets.length);
        return der(0x30, body);
    }

    private static byte[] der(int tag, byte[] content) {
        int n = content.length;
        byte[] len = n < 0x80 ? new byte[] {(byte) n}
                : n < 0x100 ? new byte[] {(byte) 0x81, (byte) n}
                : n < 0x10000 ? new byte[] {(byte) 0x82, (byte) (n >> 8), (byte) n}
                : new byte[] {(byte) 0x83, (byte) (n >> 16), (byte) (n >> 8), (byte) n};
        byte[] out = new byte[1 + len.length + n];
        out[0] = (byte) tag;
        System.arraycopy(len, 0, out, 1, len.length);
        System.arraycopy(content, 0, out, 1 + len.length, n);
        return out;
    }
}
