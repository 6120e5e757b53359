package io.hostql.tables.security;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Certificates read from PEM bundles or DER files (parsed by the JDK's CertificateFactory), and
 * each one's columns as osquery's openssl_utils computes them with OpenSSL.
 */
final class Certificates {
    private Certificates() {}

    /** One certificate's columns, as osquery fills them (empty text where OpenSSL gives nothing). */
    record Info(String commonName, String subject, String subject2, String issuer, String issuer2, boolean ca,
                boolean selfSigned, long notValidBefore, long notValidAfter, String signingAlgorithm, String keyAlgorithm,
                String keyStrength, String keyUsage, String subjectKeyId, String authorityKeyId, String sha1, String serial) {}

    /** The PEM blocks PEM_X509_INFO_read_bio takes as certificates. */
    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN (X509 |TRUSTED )?CERTIFICATE-----([A-Za-z0-9+/=\\s]*?)-----END \\1?CERTIFICATE-----");

    /** OpenSSL's long names (OBJ_nid2ln) of signature and key algorithms. */
    static final Map<String, String> ALGORITHMS = Map.ofEntries(
            Map.entry("1.2.840.113549.1.1.1", "rsaEncryption"), Map.entry("1.2.840.113549.1.1.2", "md2WithRSAEncryption"),
            Map.entry("1.2.840.113549.1.1.4", "md5WithRSAEncryption"), Map.entry("1.2.840.113549.1.1.5", "sha1WithRSAEncryption"),
            Map.entry("1.2.840.113549.1.1.10", "rsassaPss"), Map.entry("1.2.840.113549.1.1.11", "sha256WithRSAEncryption"),
            Map.entry("1.2.840.113549.1.1.12", "sha384WithRSAEncryption"), Map.entry("1.2.840.113549.1.1.13", "sha512WithRSAEncryption"),
            Map.entry("1.2.840.113549.1.1.14", "sha224WithRSAEncryption"),
            Map.entry("1.2.840.113549.1.1.15", "sha512-224WithRSAEncryption"), Map.entry("1.2.840.113549.1.1.16", "sha512-256WithRSAEncryption"),
            Map.entry("2.16.840.1.101.3.4.3.13", "RSA-SHA3-224"), Map.entry("2.16.840.1.101.3.4.3.14", "RSA-SHA3-256"),
            Map.entry("2.16.840.1.101.3.4.3.15", "RSA-SHA3-384"), Map.entry("2.16.840.1.101.3.4.3.16", "RSA-SHA3-512"),
            Map.entry("1.2.840.10045.2.1", "id-ecPublicKey"), Map.entry("1.2.840.10045.4.1", "ecdsa-with-SHA1"),
            Map.entry("1.2.840.10045.4.3.1", "ecdsa-with-SHA224"), Map.entry("1.2.840.10045.4.3.2", "ecdsa-with-SHA256"),
            Map.entry("1.2.840.10045.4.3.3", "ecdsa-with-SHA384"), Map.entry("1.2.840.10045.4.3.4", "ecdsa-with-SHA512"),
            Map.entry("1.2.840.10040.4.1", "dsaEncryption"), Map.entry("1.2.840.10040.4.3", "dsaWithSHA1"),
            Map.entry("2.16.840.1.101.3.4.3.1", "dsa_with_SHA224"), Map.entry("2.16.840.1.101.3.4.3.2", "dsa_with_SHA256"),
            Map.entry("1.3.101.110", "X25519"), Map.entry("1.3.101.111", "X448"),
            Map.entry("1.3.101.112", "ED25519"), Map.entry("1.3.101.113", "ED448"));

    /** OpenSSL's long names of named curves (the EC key_strength). */
    static final Map<String, String> CURVES = Map.ofEntries(
            Map.entry("1.2.840.10045.3.1.1", "prime192v1"), Map.entry("1.3.132.0.33", "secp224r1"),
            Map.entry("1.2.840.10045.3.1.7", "prime256v1"), Map.entry("1.3.132.0.34", "secp384r1"),
            Map.entry("1.3.132.0.35", "secp521r1"), Map.entry("1.3.132.0.10", "secp256k1"),
            Map.entry("1.3.36.3.3.2.8.1.1.7", "brainpoolP256r1"), Map.entry("1.3.36.3.3.2.8.1.1.11", "brainpoolP384r1"),
            Map.entry("1.3.36.3.3.2.8.1.1.13", "brainpoolP512r1"));

    /** osquery's key usage names, in its order (by OpenSSL's flag value). Index: the bit's flag value. */
    private static final int[] KU_FLAGS = {0x0001, 0x0002, 0x0004, 0x0008, 0x0010, 0x0020, 0x0040, 0x0080, 0x8000};
    private static final String[] KU_NAMES = {"Encipher Only", "CRL Sign", "Key Cert Sign", "Key Agreement",
            "Data Encipherment", "Key Encipherment", "Non Repudiation", "Digital Signature", "Decipher Only"};
    static final int KU_DIGITAL_SIGNATURE = 0x0080, KU_KEY_CERT_SIGN = 0x0004;

    private static final String OID_CN = "2.5.4.3", OID_SKID = "2.5.29.14", OID_AKID = "2.5.29.35",
            OID_BASIC_CONSTRAINTS = "2.5.29.19", OID_NS_CERT_TYPE = "2.16.840.1.113730.1.1", OID_PROXY = "1.3.6.1.5.5.7.1.14";

    /**
     * The certificates of a file: every certificate PEM block, or, without any, the whole file as one
     * DER certificate. A block that does not parse is skipped (the others still count).
     */
    static List<X509Certificate> read(byte[] content) {
        List<X509Certificate> out = new ArrayList<>();
        CertificateFactory cf = factory();
        String text = new String(content, StandardCharsets.ISO_8859_1);
        Matcher m = PEM.matcher(text);
        boolean pem = false;
        while (m.find()) {
            pem = true;
            try {
                byte[] der = Base64.getMimeDecoder().decode(m.group(2));
                // a TRUSTED CERTIFICATE carries OpenSSL's trust settings after the certificate
                if (m.group(1) != null) der = Arrays.copyOf(der, Der.encodedLength(der));
                out.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(der)));
            } catch (CertificateException | IllegalArgumentException e) {
                // a damaged block: skip it
            }
        }
        if (!pem && content.length > 0 && content[0] == 0x30) {
            try {
                out.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(content)));
            } catch (CertificateException | IllegalArgumentException e) {
                // not a DER certificate
            }
        }
        return out;
    }

    private static CertificateFactory factory() {
        try {
            return CertificateFactory.getInstance("X.509");
        } catch (CertificateException e) {
            throw new IllegalStateException("this JDK has no X.509 certificate factory", e);
        }
    }

    static Info info(X509Certificate c) throws CertificateException {
        byte[] der = c.getEncoded();
        byte[] subject = c.getSubjectX500Principal().getEncoded();
        byte[] issuer = c.getIssuerX500Principal().getEncoded();
        String cn = X509Names.first(subject, OID_CN);
        Der.Element spki = Der.read(c.getPublicKey().getEncoded());
        List<Der.Element> spkiParts = spki.children();
        List<Der.Element> keyAlg = spkiParts.get(0).children();
        String keyOid = keyAlg.get(0).oid();
        byte[] skid = keyIdentifier(c);
        byte[] akid = authorityKeyId(c);
        int ku = keyUsage(c);
        return new Info(cn == null ? "" : cn, X509Names.oneline(subject), X509Names.printOneline(subject),
                X509Names.oneline(issuer), X509Names.printOneline(issuer), isCa(c, ku), isSelfSigned(c, skid, akid, ku),
                c.getNotBefore().getTime() / 1000, c.getNotAfter().getTime() / 1000,
                ALGORITHMS.getOrDefault(c.getSigAlgOID(), ""), ALGORITHMS.getOrDefault(keyOid, ""),
                keyStrength(keyOid, keyAlg, spkiParts.get(1)), keyUsageText(ku),
                skid == null ? "" : HexFormat.of().formatHex(skid), akid == null ? "" : HexFormat.of().formatHex(akid),
                HexFormat.of().formatHex(sha1(der)), serial(c.getSerialNumber()));
    }

    /** BN_bn2hex: upper-case hex of whole bytes, without leading zero bytes ("0" for zero). */
    static String serial(BigInteger n) {
        if (n.signum() == 0) return "0";
        String hex = n.abs().toString(16).toUpperCase();
        if (hex.length() % 2 != 0) hex = "0" + hex;
        return n.signum() < 0 ? "-" + hex : hex;
    }

    /** RSA and DSA: EVP_PKEY_size * 8 (the modulus in whole bytes; DSA's signature size); EC: the curve's name. */
    static String keyStrength(String keyOid, List<Der.Element> keyAlg, Der.Element keyBits) {
        try {
            switch (keyOid) {
                case "1.2.840.113549.1.1.1", "1.2.840.113549.1.1.10": {
                    BigInteger modulus = keyBits.inner().children().get(0).integer();
                    return Integer.toString((modulus.bitLength() + 7) / 8 * 8);
                }
                case "1.2.840.10040.4.1": {
                    if (keyAlg.size() < 2 || keyAlg.get(1).tag() != Der.SEQUENCE) return "";
                    int qBits = keyAlg.get(1).children().get(1).integer().bitLength();
                    int intLen = (qBits + 7) / 8 + 1;
                    int oneInt = 1 + derLengthSize(intLen) + intLen;
                    return Integer.toString((1 + derLengthSize(2 * oneInt) + 2 * oneInt) * 8);
                }
                case "1.2.840.10045.2.1":
                    if (keyAlg.size() < 2 || keyAlg.get(1).tag() != Der.OID) return "";
                    return CURVES.getOrDefault(keyAlg.get(1).oid(), "");
                default:
                    return "";
            }
        } catch (RuntimeException e) {
            return ""; // a malformed key: OpenSSL would not load it either
        }
    }

    private static int derLengthSize(int len) {
        return len < 0x80 ? 1 : len < 0x100 ? 2 : 3;
    }

    /** OpenSSL's ex_kusage: the keyUsage bits as flags, or -1 when the extension is absent. */
    static int keyUsage(X509Certificate c) {
        boolean[] bits = c.getKeyUsage();
        if (bits == null) return -1;
        int flags = 0;
        for (int i = 0; i < bits.length && i < 9; i++) {
            if (bits[i]) flags |= i < 8 ? 0x80 >> i : 0x8000;
        }
        return flags;
    }

    static String keyUsageText(int flags) {
        if (flags < 0) return "";
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < KU_FLAGS.length; i++) {
            if ((flags & KU_FLAGS[i]) == 0) continue;
            if (sb.length() > 0) sb.append(", ");
            sb.append(KU_NAMES[i]);
        }
        return sb.toString();
    }

    /** X509_check_ca > 0. */
    static boolean isCa(X509Certificate c, int ku) {
        if (ku >= 0 && (ku & KU_KEY_CERT_SIGN) == 0) return false;
        if (c.getExtensionValue(OID_BASIC_CONSTRAINTS) != null) return c.getBasicConstraints() >= 0;
        if (c.getVersion() == 1 && c.getSubjectX500Principal().equals(c.getIssuerX500Principal())) return true; // a v1 root
        if (ku >= 0) return true;
        byte[] ns = extension(c, OID_NS_CERT_TYPE);
        // Netscape cert type: SSL CA, S/MIME CA or object-signing CA
        return ns != null && ns.length > 1 && (ns[1] & 0x07) != 0;
    }

    /**
     * X509_check_issued(cert, cert) == X509_V_OK: issuer and subject names match, the authority key
     * id (if any) names this key, the key may sign certificates, and the signature's algorithm
     * family is the key's.
     */
    static boolean isSelfSigned(X509Certificate c, byte[] skid, byte[] akid, int ku) {
        if (!c.getSubjectX500Principal().equals(c.getIssuerX500Principal())) return false;
        if (akid != null && skid != null && !Arrays.equals(akid, skid)) return false;
        byte[] akidSerial = authorityKeySerial(c);
        if (akidSerial != null && !new BigInteger(akidSerial).equals(c.getSerialNumber())) return false;
        int needed = extension(c, OID_PROXY) != null ? KU_DIGITAL_SIGNATURE : KU_KEY_CERT_SIGN;
        if (ku >= 0 && (ku & needed) == 0) return false;
        String keyFamily = family(c.getPublicKey().getAlgorithm());
        String sigFamily = family(c.getSigAlgName());
        return keyFamily == null || sigFamily == null || keyFamily.equals(sigFamily);
    }

    private static String family(String algorithm) {
        String a = algorithm.toUpperCase();
        if (a.contains("ED25519") || a.contains("ED448") || a.contains("EDDSA")) return "EDDSA";
        if (a.contains("RSA")) return "RSA";
        if (a.contains("ECDSA") || a.equals("EC")) return "EC";
        if (a.contains("DSA")) return "DSA";
        return null;
    }

    /** An extension's value (the DER inside its OCTET STRING), or null. */
    static byte[] extension(X509Certificate c, String oid) {
        byte[] wrapped = c.getExtensionValue(oid);
        return wrapped == null ? null : Der.read(wrapped).contents();
    }

    static byte[] keyIdentifier(X509Certificate c) {
        byte[] v = extension(c, OID_SKID);
        return v == null ? null : Der.read(v).contents();
    }

    /** The keyIdentifier [0] of the authority key identifier, or null. */
    static byte[] authorityKeyId(X509Certificate c) {
        return akidPart(c, 0x80);
    }

    private static byte[] authorityKeySerial(X509Certificate c) {
        return akidPart(c, 0x82);
    }

    private static byte[] akidPart(X509Certificate c, int tag) {
        byte[] v = extension(c, OID_AKID);
        if (v == null) return null;
        try {
            for (Der.Element e : Der.read(v).children()) if (e.tag() == tag) return e.contents();
        } catch (IllegalArgumentException e) {
            return null;
        }
        return null;
    }

    static byte[] sha1(byte[] der) {
        try {
            return MessageDigest.getInstance("SHA-1").digest(der);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JDK has no SHA-1", e);
        }
    }
}
