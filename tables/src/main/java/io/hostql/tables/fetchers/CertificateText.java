package io.hostql.tables.fetchers;

import java.math.BigInteger;
import java.net.InetAddress;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * An X.509 certificate's fields as OpenSSL prints them, which is how osquery's certificate tables show
 * them (X509_NAME_get_text_by_NID, BN_bn2hex, ASN1_TIME_print, X509V3_EXT_print with newlines made ';').
 * The extensions a TLS server certificate carries are decoded; see {@link #other} for the rest.
 */
final class CertificateText {
    private CertificateText() {}

    private static final DateTimeFormatter ASN1_TIME = DateTimeFormatter.ofPattern("MMM ppd HH:mm:ss yyyy 'GMT'", Locale.ROOT);

    /** The first value of an attribute (CN, O, OU) in a distinguished name, as X509_NAME_get_text_by_NID; null if none. */
    static String nameEntry(javax.security.auth.x500.X500Principal name, String type) {
        try {
            for (Rdn rdn : new LdapName(name.getName(javax.security.auth.x500.X500Principal.RFC2253)).getRdns()) {
                if (rdn.getType().equalsIgnoreCase(type)) return rdn.getValue().toString();
            }
        } catch (javax.naming.InvalidNameException e) {
            return null;
        }
        return null;
    }

    /** BN_bn2hex: uppercase, two digits per byte, leading zero bytes dropped ("0" for zero). */
    static String serial(BigInteger serial) {
        byte[] b = serial.abs().toByteArray();
        int i = 0;
        while (i < b.length - 1 && b[i] == 0) i++;
        String hex = HexFormat.of().withUpperCase().formatHex(b, i, b.length);
        return (serial.signum() < 0 ? "-" : "") + (serial.signum() == 0 ? "0" : hex);
    }

    /** ASN1_TIME_print: "Jan  2 03:04:05 2026 GMT". */
    static String time(java.util.Date date) {
        return ASN1_TIME.format(ZonedDateTime.ofInstant(date.toInstant(), ZoneOffset.UTC));
    }

    static String fingerprint(X509Certificate cert, String algorithm) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(cert.getEncoded()));
    }

    /** OBJ_nid2sn of the signature algorithm. */
    static String signatureAlgorithm(X509Certificate cert) {
        return SIGNATURE_NAMES.getOrDefault(cert.getSigAlgOID(), cert.getSigAlgName());
    }

    private static final Map<String, String> SIGNATURE_NAMES = Map.ofEntries(
            Map.entry("1.2.840.113549.1.1.4", "RSA-MD5"), Map.entry("1.2.840.113549.1.1.5", "RSA-SHA1"),
            Map.entry("1.2.840.113549.1.1.11", "RSA-SHA256"), Map.entry("1.2.840.113549.1.1.12", "RSA-SHA384"),
            Map.entry("1.2.840.113549.1.1.13", "RSA-SHA512"), Map.entry("1.2.840.113549.1.1.14", "RSA-SHA224"),
            Map.entry("1.2.840.113549.1.1.10", "RSASSA-PSS"), Map.entry("1.2.840.10045.4.1", "ecdsa-with-SHA1"),
            Map.entry("1.2.840.10045.4.3.2", "ecdsa-with-SHA256"), Map.entry("1.2.840.10045.4.3.3", "ecdsa-with-SHA384"),
            Map.entry("1.2.840.10045.4.3.4", "ecdsa-with-SHA512"), Map.entry("1.3.101.112", "ED25519"), Map.entry("1.3.101.113", "ED448"));

    /** The signature bytes, "%02x" joined by ':'. */
    static String signature(X509Certificate cert) {
        byte[] s = cert.getSignature();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length; i++) {
            if (i > 0) sb.append(':');
            sb.append(String.format("%02x", s[i] & 0xff));
        }
        return sb.toString();
    }

    private static final String[] KEY_USAGE = {"Digital Signature", "Non Repudiation", "Key Encipherment", "Data Encipherment",
        "Key Agreement", "Certificate Sign", "CRL Sign", "Encipher Only", "Decipher Only"};

    static String keyUsage(X509Certificate cert) {
        boolean[] ku = cert.getKeyUsage();
        if (ku == null) return "";
        List<String> out = new ArrayList<>();
        for (int i = 0; i < ku.length && i < KEY_USAGE.length; i++) if (ku[i]) out.add(KEY_USAGE[i]);
        return String.join(", ", out);
    }

    private static final Map<String, String> EKU_NAMES = Map.of(
            "1.3.6.1.5.5.7.3.1", "TLS Web Server Authentication", "1.3.6.1.5.5.7.3.2", "TLS Web Client Authentication",
            "1.3.6.1.5.5.7.3.3", "Code Signing", "1.3.6.1.5.5.7.3.4", "E-mail Protection", "1.3.6.1.5.5.7.3.8", "Time Stamping",
            "1.3.6.1.5.5.7.3.9", "OCSP Signing", "2.5.29.37.0", "Any Extended Key Usage");

    static String extendedKeyUsage(X509Certificate cert) throws Exception {
        List<String> eku = cert.getExtendedKeyUsage();
        if (eku == null) return "";
        return String.join(", ", eku.stream().map(o -> EKU_NAMES.getOrDefault(o, o)).toList());
    }

    /** basicConstraints: "CA:TRUE", "CA:TRUE, pathlen:0", "CA:FALSE"; "" when absent. */
    static String basicConstraints(X509Certificate cert) {
        if (cert.getExtensionValue("2.5.29.19") == null) return "";
        int pathLen = cert.getBasicConstraints();
        if (pathLen < 0) return "CA:FALSE";
        return pathLen == Integer.MAX_VALUE ? "CA:TRUE" : "CA:TRUE, pathlen:" + pathLen;
    }

    /** GENERAL_NAMES as OpenSSL prints them: "DNS:a, IP Address:127.0.0.1, email:x, URI:y". */
    static String generalNames(java.util.Collection<List<?>> names) {
        if (names == null) return "";
        List<String> out = new ArrayList<>();
        for (List<?> n : names) {
            int type = (Integer) n.get(0);
            Object v = n.get(1);
            out.add(switch (type) {
                case 1 -> "email:" + v;
                case 2 -> "DNS:" + v;
                case 4 -> "DirName:" + v;
                case 6 -> "URI:" + v;
                case 7 -> "IP Address:" + ip(v.toString());
                case 8 -> "Registered ID:" + v;
                default -> "othername:<unsupported>";
            });
        }
        return String.join(", ", out);
    }

    private static String ip(String s) {
        try {
            InetAddress a = InetAddress.getByName(s); // a literal: no lookup
            if (a.getAddress().length == 4) return a.getHostAddress();
            byte[] b = a.getAddress(); // OpenSSL prints IPv6 as 8 uppercase groups, no compression
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 16; i += 2) {
                if (i > 0) sb.append(':');
                sb.append(Integer.toHexString(((b[i] & 0xff) << 8) | (b[i + 1] & 0xff)).toUpperCase(Locale.ROOT));
            }
            return sb.toString();
        } catch (java.net.UnknownHostException e) {
            return s;
        }
    }

    /** subjectKeyIdentifier: the key id as uppercase hex pairs joined by ':'. */
    static String subjectKeyIdentifier(X509Certificate cert) {
        byte[] ext = extensionContent(cert, "2.5.29.14");
        if (ext == null) return "";
        Der d = new Der(ext, 0);
        return hexColons(Arrays.copyOfRange(ext, d.contentStart, d.end));
    }

    /**
     * authorityKeyIdentifier as OpenSSL 3 prints it: the key id alone when that is all it holds, else
     * "keyid:…", "serial:…" one per line (made ';' by osquery).
     */
    static String authorityKeyIdentifier(X509Certificate cert) {
        byte[] ext = extensionContent(cert, "2.5.29.35");
        if (ext == null) return "";
        Der seq = new Der(ext, 0);
        String keyId = null, serial = null;
        boolean issuer = false;
        for (int p = seq.contentStart; p < seq.end; ) {
            Der f = new Der(ext, p);
            int tag = ext[p] & 0xff;
            if (tag == 0x80) keyId = hexColons(Arrays.copyOfRange(ext, f.contentStart, f.end));
            if (tag == 0x82) serial = hexColons(Arrays.copyOfRange(ext, f.contentStart, f.end));
            if (tag == 0xa1) issuer = true;
            p = f.end;
        }
        if (keyId != null && !issuer && serial == null) return keyId;
        List<String> out = new ArrayList<>();
        if (keyId != null) out.add("keyid:" + keyId);
        if (serial != null) out.add("serial:" + serial);
        return String.join(";", out);
    }

    /**
     * An extension hostql does not decode (policies, info access, name and policy constraints, …): ""
     * when absent, else its DER as ASN1_STRING_print shows bytes, printable ASCII kept and the rest '.'
     * (OpenSSL decodes these; this keeps the column non-empty exactly when osquery's is).
     */
    static String other(X509Certificate cert, String oid) {
        byte[] ext = extensionContent(cert, oid);
        if (ext == null) return "";
        StringBuilder sb = new StringBuilder();
        for (byte c : ext) sb.append(c >= 0x20 && c < 0x7f ? (char) c : '.');
        return sb.toString();
    }

    /** The DER inside an extension's OCTET STRING, or null when the certificate lacks it. */
    private static byte[] extensionContent(X509Certificate cert, String oid) {
        byte[] wrapped = cert.getExtensionValue(oid);
        if (wrapped == null) return null;
        Der octets = new Der(wrapped, 0);
        return Arrays.copyOfRange(wrapped, octets.contentStart, octets.end);
    }

    private static String hexColons(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < b.length; i++) {
            if (i > 0) sb.append(':');
            sb.append(String.format("%02X", b[i] & 0xff));
        }
        return sb.toString();
    }

    /** One DER element's bounds (definite lengths only, as DER requires). */
    private static final class Der {
        final int contentStart, end;

        Der(byte[] b, int p) {
            int len = b[p + 1] & 0xff, q = p + 2;
            if (len >= 0x80) {
                int n = len & 0x7f;
                len = 0;
                for (int i = 0; i < n; i++) len = (len << 8) | (b[q++] & 0xff);
            }
            contentStart = q;
            end = q + len;
        }
    }
}
