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
 * What OpenSSL says of each certificate of a PEM file, as the certificates table's columns, keyed
 * by SHA-1. The openssl command (one {@code openssl storeutl -text} for the whole file) gives the
 * serial, dates, algorithms, key size or curve, key usage and key ids; libcrypto itself, called
 * through python's ctypes, gives the names (X509_NAME_oneline for subject and issuer,
 * X509_NAME_print_ex with XN_FLAG_ONELINE for subject2 and issuer2), ca (X509_check_ca) and
 * self_signed (X509_check_issued). For a few certificates, {@code openssl x509} runs on each one
 * too (-nameopt oneline names, fingerprint, serial, "CRL signing CA") and must agree.
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

    /** Up to this many certificates, openssl x509 also runs on each one. */
    static final int PER_CERTIFICATE = 8;

    static Map<String, Map<String, Object>> certificates(Path pemFile) {
        List<Map<String, Object>> text = new ArrayList<>();
        for (String block : run("openssl", "storeutl", "-noout", "-text", "-certs", pemFile.toString()).split("(?m)^\\d+: Certificate\n")) {
            if (block.contains("Certificate:")) text.add(parse(block));
        }
        String[] lib = run("python3", resource("openssl_names.py"), pemFile.toString()).split("\n");
        List<String> libLines = new ArrayList<>();
        for (String l : lib) if (!l.isEmpty()) libLines.add(l);
        if (libLines.size() != text.size()) {
            throw new AssertionError("openssl storeutl read " + text.size() + " certificates, libcrypto " + libLines.size());
        }
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        for (int i = 0; i < text.size(); i++) {
            String[] f = libLines.get(i).split("\t", -1);
            Map<String, Object> c = text.get(i);
            c.put("sha1", f[0]);
            c.put("subject", f[1]);
            c.put("issuer", f[2]);
            c.put("subject2", f[3]);
            c.put("issuer2", f[4]);
            c.put("ca", Integer.parseInt(f[5]) > 0 ? 1L : 0L);
            c.put("self_signed", f[6].equals("0") ? 1L : 0L);
            out.put(f[0], c);
        }
        if (out.size() <= PER_CERTIFICATE) crossCheck(pemFile, out);
        return out;
    }

    /** openssl x509 on each certificate agrees with the rest of the witness. */
    private static void crossCheck(Path pemFile, Map<String, Map<String, Object>> expected) {
        for (String block : run("sh", resource("openssl_certs.sh"), pemFile.toString()).split("(?m)^== .*\n")) {
            if (block.isBlank()) continue;
            Map<String, String> x = new LinkedHashMap<>();
            for (String l : block.split("\n")) {
                int eq = l.indexOf('=');
                if (eq > 0 && !l.startsWith(" ")) x.put(l.substring(0, eq).toLowerCase(Locale.ROOT), l.substring(eq + 1));
                if (l.startsWith("CRL signing CA : ")) x.put("ca", l.endsWith("Yes") ? "1" : "0");
            }
            String sha1 = x.get("sha1 fingerprint").replace(":", "").toLowerCase(Locale.ROOT);
            Map<String, Object> e = expected.get(sha1);
            if (e == null) throw new AssertionError("openssl x509 read a certificate storeutl did not: " + sha1);
            check(x.get("subject"), e.get("subject2"), "subject");
            check(x.get("issuer"), e.get("issuer2"), "issuer");
            check(x.get("serial").equals("00") ? "0" : x.get("serial"), e.get("serial"), "serial");
            check(x.get("ca"), e.get("ca").toString(), "CRL signing CA");
        }
    }

    private static void check(Object cli, Object rest, String what) {
        if (!String.valueOf(cli).equals(String.valueOf(rest))) {
            throw new AssertionError("openssl x509 and the other witnesses disagree on " + what + ": " + cli + " vs " + rest);
        }
    }

    /** One certificate of openssl's text form. */
    private static Map<String, Object> parse(String block) {
        Map<String, Object> c = new LinkedHashMap<>();
        List<String> lines = List.of(block.split("\n"));
        List<String> usage = new ArrayList<>();
        c.put("key_usage", "");
        c.put("subject_key_id", "");
        c.put("authority_key_id", "");
        c.put("key_strength", "");
        for (int i = 0; i < lines.size(); i++) {
            String t = lines.get(i).strip();
            String next = i + 1 < lines.size() ? lines.get(i + 1).strip() : "";
            if (t.startsWith("Serial Number:")) {
                String v = t.substring(14).strip();
                if (v.isEmpty()) {
                    c.put("serial", next.replace(":", "").toUpperCase(Locale.ROOT));
                } else { // "171 (0xab)"
                    String hex = v.substring(v.indexOf("(0x") + 3, v.indexOf(')')).toUpperCase(Locale.ROOT);
                    c.put("serial", v.startsWith("0 ") ? "0" : hex.length() % 2 == 0 ? hex : "0" + hex);
                }
            } else if (t.startsWith("Not Before: ") && !c.containsKey("not_valid_before")) { // not a Private Key Usage Period's
                c.put("not_valid_before", epoch(t.substring(12)));
            } else if (t.startsWith("Not After : ")) c.put("not_valid_after", epoch(t.substring(12)));
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
