package io.hostql.tables.security;

import static io.hostql.tables.TableTests.run;

import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What OpenSSL says of each certificate of a PEM file, as the certificates table's columns: the
 * openssl command (subject2, issuer2, serial, sha1, dates, algorithms, key size or curve, key
 * usage, key ids, and "CRL signing CA", which is X509_check_ca) and libcrypto itself through
 * python's ctypes (X509_NAME_oneline for subject and issuer, X509_check_issued for self_signed).
 * Keyed by SHA-1.
 */
final class OpensslWitness {
    private OpensslWitness() {}

    /** openssl's key usage names, by osquery's. */
    private static final Map<String, String> KEY_USAGE = Map.of("Digital Signature", "Digital Signature",
            "Non Repudiation", "Non Repudiation", "Key Encipherment", "Key Encipherment",
            "Data Encipherment", "Data Encipherment", "Key Agreement", "Key Agreement", "Certificate Sign", "Key Cert Sign",
            "CRL Sign", "CRL Sign", "Encipher Only", "Encipher Only", "Decipher Only", "Decipher Only");
    private static final String[] KEY_USAGE_ORDER = {"Encipher Only", "CRL Sign", "Key Cert Sign", "Key Agreement",
            "Data Encipherment", "Key Encipherment", "Non Repudiation", "Digital Signature", "Decipher Only"};

    static Map<String, Map<String, Object>> certificates(Path pemFile) {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        String script = resource("openssl_certs.sh");
        for (String block : run("sh", script, pemFile.toString()).split("(?m)^== .*\n")) {
            if (block.isBlank()) continue;
            Map<String, Object> c = parse(block);
            out.put((String) c.get("sha1"), c);
        }
        for (String line : run("python3", resource("openssl_names.py"), pemFile.toString()).split("\n")) {
            if (line.isEmpty()) continue;
            String[] f = line.split("\t", -1);
            Map<String, Object> c = out.get(f[0]);
            if (c == null) throw new AssertionError("openssl and libcrypto read different certificates: " + f[0]);
            c.put("subject", f[1]);
            c.put("issuer", f[2]);
            c.put("self_signed", f[3].equals("0") ? 1L : 0L);
        }
        return out;
    }

    private static Map<String, Object> parse(String block) {
        Map<String, Object> c = new LinkedHashMap<>();
        List<String> lines = List.of(block.split("\n"));
        List<String> usage = new ArrayList<>();
        c.put("key_usage", "");
        c.put("subject_key_id", "");
        c.put("authority_key_id", "");
        c.put("key_strength", "");
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            String t = l.strip();
            String next = i + 1 < lines.size() ? lines.get(i + 1).strip() : "";
            if (l.startsWith("subject=")) c.put("subject2", l.substring(8));
            else if (l.startsWith("issuer=")) c.put("issuer2", l.substring(7));
            else if (l.startsWith("serial=")) c.put("serial", l.substring(7).equals("00") ? "0" : l.substring(7));
            else if (l.toLowerCase(Locale.ROOT).startsWith("sha1 fingerprint=")) {
                c.put("sha1", l.substring(l.indexOf('=') + 1).replace(":", "").toLowerCase(Locale.ROOT));
            } else if (l.startsWith("notBefore=")) c.put("not_valid_before", epoch(l.substring(10)));
            else if (l.startsWith("notAfter=")) c.put("not_valid_after", epoch(l.substring(9)));
            else if (l.startsWith("CRL signing CA : ")) c.put("ca", l.endsWith("Yes") ? 1L : 0L);
            else if (t.startsWith("Signature Algorithm: ") && !c.containsKey("signing_algorithm")) {
                c.put("signing_algorithm", t.substring(21));
            } else if (t.startsWith("Public Key Algorithm: ")) c.put("key_algorithm", t.substring(22));
            else if (t.startsWith("Public-Key: (") && c.get("key_algorithm").toString().matches("rsaEncryption|rsassaPss|dsaEncryption")) {
                int bits = Integer.parseInt(t.substring(13, t.indexOf(' ', 13)));
                c.put("key_strength", Integer.toString((bits + 7) / 8 * 8));
            } else if (t.startsWith("ASN1 OID: ")) c.put("key_strength", t.substring(10));
            else if (t.startsWith("X509v3 Key Usage:")) {
                for (String u : next.split(", ")) usage.add(KEY_USAGE.getOrDefault(u, "?" + u));
            } else if (t.startsWith("X509v3 Subject Key Identifier:")) {
                c.put("subject_key_id", next.replace(":", "").toLowerCase(Locale.ROOT));
            } else if (t.startsWith("X509v3 Authority Key Identifier:")) {
                String id = next.startsWith("keyid:") ? next.substring(6) : next;
                if (id.matches("[0-9A-F:]+")) c.put("authority_key_id", id.replace(":", "").toLowerCase(Locale.ROOT));
            }
        }
        if (!usage.isEmpty()) {
            List<String> ordered = new ArrayList<>();
            for (String u : KEY_USAGE_ORDER) if (usage.contains(u)) ordered.add(u);
            c.put("key_usage", String.join(", ", ordered));
        }
        return c;
    }

    private static long epoch(String openssl) {
        return ZonedDateTime.parse(openssl.replaceAll(" +", " ").replace(" GMT", " UTC"),
                DateTimeFormatter.ofPattern("MMM d HH:mm:ss yyyy z", Locale.ROOT)).toEpochSecond();
    }

    static String resource(String name) {
        try {
            return Path.of(OpensslWitness.class.getResource("/security/" + name).toURI()).toString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
