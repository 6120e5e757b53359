package io.hostql.tables.users;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * Recognises a private key file and reads what osquery reads through OpenSSL: whether it is
 * encrypted, its type (rsa, dsa, ec, dh, ed25519, ...), EC group, length in bits and security bits
 * (NIST SP 800-57, as OpenSSL 3 computes them). Handles PEM (PKCS#1, SEC1, DSA, PKCS#8, encrypted
 * PKCS#8) and OpenSSH's own format, whose public half is readable even when the key is encrypted.
 * An encrypted PEM key shows only encrypted=1, as OpenSSL cannot read it without the passphrase.
 */
final class PrivateKeys {
    private PrivateKeys() {}

    /** keyType "" and -1 lengths where unknown; groupName "" unless the key has a named group. */
    record Info(boolean encrypted, String keyType, String groupName, int length, int securityBits) {
        static Info unknown(boolean encrypted) {
            return new Info(encrypted, "", "", -1, -1);
        }
    }

    private static final String OPENSSH = "OPENSSH PRIVATE KEY";

    private record Curve(String name, int bits) {}

    private static final Map<String, Curve> CURVES = Map.ofEntries(
            Map.entry("1.2.840.10045.3.1.7", new Curve("prime256v1", 256)),
            Map.entry("1.3.132.0.34", new Curve("secp384r1", 384)),
            Map.entry("1.3.132.0.35", new Curve("secp521r1", 521)),
            Map.entry("1.3.132.0.10", new Curve("secp256k1", 256)),
            Map.entry("1.3.132.0.33", new Curve("secp224r1", 224)),
            Map.entry("1.2.840.10045.3.1.1", new Curve("prime192v1", 192)),
            Map.entry("1.3.36.3.3.2.8.1.1.7", new Curve("brainpoolP256r1", 256)),
            Map.entry("1.3.36.3.3.2.8.1.1.11", new Curve("brainpoolP384r1", 384)),
            Map.entry("1.3.36.3.3.2.8.1.1.13", new Curve("brainpoolP512r1", 512)),
            Map.entry("1.2.156.10197.1.301", new Curve("SM2", 256)));

    /** The key in a file's content, or null if it holds no private key we (or OpenSSL) can recognise. */
    static Info parse(byte[] content) {
        String text = new String(content, StandardCharsets.ISO_8859_1);
        int from = 0;
        while (true) {
            int begin = text.indexOf("-----BEGIN ", from);
            if (begin < 0) return null;
            int labelEnd = text.indexOf("-----", begin + 11);
            if (labelEnd < 0) return null;
            String label = text.substring(begin + 11, labelEnd);
            int bodyStart = labelEnd + 5;
            int end = text.indexOf("-----END " + label + "-----", bodyStart);
            if (end < 0) return null;
            from = end;
            if (!label.equals(OPENSSH) && !label.equals("PRIVATE KEY") && !label.equals("ENCRYPTED PRIVATE KEY")
                    && !label.equals("RSA PRIVATE KEY") && !label.equals("DSA PRIVATE KEY") && !label.equals("EC PRIVATE KEY")) {
                continue; // a certificate, public key, parameters...: OpenSSL skips to the next block
            }
            String body = text.substring(bodyStart, end);
            try {
                return block(label, body);
            } catch (RuntimeException e) {
                return label.equals(OPENSSH) ? Info.unknown(!body.strip().startsWith(OPENSSH_UNENCRYPTED)) : null;
            }
        }
    }

    /** base64 of "openssh-key-v1\0" + string "none": what every unencrypted OpenSSH key starts with. */
    private static final String OPENSSH_UNENCRYPTED = "b3BlbnNzaC1rZXktdjEAAAAABG5vbmU";

    private static Info block(String label, String body) {
        if (label.equals("ENCRYPTED PRIVATE KEY")) return Info.unknown(true);
        StringBuilder b64 = new StringBuilder();
        for (String line : body.split("\n")) {
            String l = line.strip();
            if (l.isEmpty()) continue;
            if (l.contains(":")) { // RFC 1421 headers of traditional keys
                if (l.startsWith("Proc-Type:") && l.contains("ENCRYPTED")) return Info.unknown(true);
                continue;
            }
            b64.append(l);
        }
        byte[] der = Base64.getMimeDecoder().decode(b64.toString());
        return switch (label) {
            case OPENSSH -> openssh(der);
            case "RSA PRIVATE KEY" -> rsa(new Der(der).sequence(), "rsa");
            case "DSA PRIVATE KEY" -> dsaTraditional(new Der(der).sequence());
            case "EC PRIVATE KEY" -> ec(new Der(der).sequence(), null);
            default -> pkcs8(new Der(der).sequence());
        };
    }

    private static Info pkcs8(Der seq) {
        seq.integer(); // version
        Der alg = seq.sequence();
        String oid = alg.oid();
        Der key = new Der(seq.octets());
        return switch (oid) {
            case "1.2.840.113549.1.1.1" -> rsa(key.sequence(), "rsa");
            case "1.2.840.113549.1.1.10" -> rsa(key.sequence(), ""); // RSA-PSS: OpenSSL names no type for it
            case "1.2.840.10040.4.1" -> {
                Der params = alg.sequence();
                BigInteger p = params.integer(), q = params.integer();
                yield new Info(false, "dsa", "", p.bitLength(), bnSecurityBits(p.bitLength(), q.bitLength()));
            }
            case "1.2.840.10045.2.1" -> ec(key.sequence(), alg.hasMore() && alg.peekTag() == 0x06 ? alg.oid() : null);
            case "1.2.840.113549.1.3.1", "1.2.840.10046.2.1" -> {
                int bits = alg.sequence().integer().bitLength();
                yield new Info(false, "dh", "", bits, bnSecurityBits(bits, -1));
            }
            case "1.3.101.112" -> new Info(false, "ed25519", "", 256, 128);
            case "1.3.101.113" -> new Info(false, "ed448", "", 456, 224);
            case "1.3.101.110" -> new Info(false, "x25519", "", 253, 128);
            case "1.3.101.111" -> new Info(false, "x448", "", 448, 224);
            default -> Info.unknown(false);
        };
    }

    private static Info rsa(Der seq, String type) {
        seq.integer(); // version
        int bits = seq.integer().bitLength();
        return new Info(false, type, "", bits, rsaSecurityBits(bits));
    }

    private static Info dsaTraditional(Der seq) {
        seq.integer(); // version
        BigInteger p = seq.integer(), q = seq.integer();
        return new Info(false, "dsa", "", p.bitLength(), bnSecurityBits(p.bitLength(), q.bitLength()));
    }

    /** SEC1 ECPrivateKey; the curve is in its [0] parameters or, in PKCS#8, in the algorithm's. */
    private static Info ec(Der seq, String curveOid) {
        seq.integer(); // version
        seq.octets(); // private key
        while (curveOid == null && seq.hasMore()) {
            int tag = seq.peekTag();
            Der field = seq.explicit();
            if (tag == 0xA0 && field.peekTag() == 0x06) curveOid = field.oid();
        }
        Curve c = curveOid == null ? null : CURVES.get(curveOid);
        if (c == null) return new Info(false, "ec", "", -1, -1);
        return new Info(false, "ec", c.name(), c.bits(), ecSecurityBits(c.bits()));
    }

    /** openssh-key-v1: the public key blob is in the clear even when the private half is encrypted. */
    private static Info openssh(byte[] data) {
        Ssh s = new Ssh(data);
        byte[] magic = "openssh-key-v1\0".getBytes(StandardCharsets.US_ASCII);
        for (byte m : magic) if (s.u8() != m) throw new IllegalArgumentException("not an openssh-key-v1 key");
        boolean encrypted = !s.text().equals("none");
        s.string(); // kdf name
        s.string(); // kdf options
        if (s.u32() < 1) return Info.unknown(encrypted);
        Ssh pub = new Ssh(s.string());
        String type = pub.text();
        return switch (type) {
            case "ssh-rsa" -> {
                pub.string(); // e
                int bits = new BigInteger(1, pub.string()).bitLength();
                yield new Info(encrypted, "rsa", "", bits, rsaSecurityBits(bits));
            }
            case "ssh-dss" -> {
                int p = new BigInteger(1, pub.string()).bitLength(), q = new BigInteger(1, pub.string()).bitLength();
                yield new Info(encrypted, "dsa", "", p, bnSecurityBits(p, q));
            }
            case "ecdsa-sha2-nistp256" -> new Info(encrypted, "ec", "prime256v1", 256, 128);
            case "ecdsa-sha2-nistp384" -> new Info(encrypted, "ec", "secp384r1", 384, 192);
            case "ecdsa-sha2-nistp521" -> new Info(encrypted, "ec", "secp521r1", 521, 256);
            case "ssh-ed25519" -> new Info(encrypted, "ed25519", "", 256, 128);
            case "sk-ecdsa-sha2-nistp256@openssh.com" -> new Info(encrypted, "ec-sk", "prime256v1", 256, 128);
            case "sk-ssh-ed25519@openssh.com" -> new Info(encrypted, "ed25519-sk", "", 256, 128);
            default -> new Info(encrypted, type, "", -1, -1);
        };
    }

    /** OpenSSL 3's ossl_ifc_ffc_compute_security_bits (SP 800-56B rev 2, with its canonical values). */
    static int rsaSecurityBits(int n) {
        switch (n) {
            case 2048: return 112;
            case 3072: return 128;
            case 4096: return 152;
            case 6144: return 176;
            case 7680: return 192;
            case 8192: return 200;
            case 15360: return 256;
            default: break;
        }
        if (n >= 687737) return 1200;
        if (n < 8) return 0;
        long cap = n <= 7680 ? 192 : n <= 15360 ? 256 : 1200;
        // OpenSSL's own fixed-point arithmetic (scale 2^18), so results agree to the bit at the rounding edges
        long x = n * LOG_2;
        long lx = ilogE(x);
        long y = Long.divideUnsigned(mul2(C1_923, icbrt64(mul2(mul2(x, lx), lx))) - C4_690, LOG_2) & 0xFFFF;
        y = (y + 4) & ~7L;
        return (int) Math.min(y, cap);
    }

    private static final long SCALE = 1L << 18, CBRT_SCALE = 1L << 12, LOG_2 = 0x02c5c8, LOG_E = 0x05c551,
            C1_923 = 0x07b126, C4_690 = 0x12c28f;

    private static long mul2(long a, long b) {
        return Long.divideUnsigned(a * b, SCALE);
    }

    private static long icbrt64(long x) {
        long r = 0;
        for (int s = 63; s >= 0; s -= 3) {
            r <<= 1;
            long b = 3 * r * (r + 1) + 1;
            if (Long.compareUnsigned(x >>> s, b) >= 0) {
                x -= b << s;
                r++;
            }
        }
        return r * CBRT_SCALE;
    }

    private static long ilogE(long v) {
        long r = 0;
        while (Long.compareUnsigned(v, 2 * SCALE) >= 0) {
            v >>>= 1;
            r += SCALE;
        }
        for (long i = SCALE / 2; i != 0; i /= 2) {
            v = mul2(v, v);
            if (Long.compareUnsigned(v, 2 * SCALE) >= 0) {
                v >>>= 1;
                r += i;
            }
        }
        return ((r & 0xFFFFFFFFL) * SCALE / LOG_E) & 0xFFFFFFFFL;
    }

    /** OpenSSL's BN_security_bits(L, N): finite-field strength by modulus size L, capped by N/2. */
    static int bnSecurityBits(int l, int n) {
        int secbits;
        if (l >= 15360) secbits = 256;
        else if (l >= 7680) secbits = 192;
        else if (l >= 3072) secbits = 128;
        else if (l >= 2048) secbits = 112;
        else if (l >= 1024) secbits = 80;
        else return 0;
        if (n == -1) return secbits;
        int bits = n / 2;
        if (bits < 80) return 0;
        return Math.min(bits, secbits);
    }

    /** OpenSSL's EC strength by group order bits. */
    static int ecSecurityBits(int bits) {
        if (bits >= 512) return 256;
        if (bits >= 384) return 192;
        if (bits >= 256) return 128;
        if (bits >= 224) return 112;
        if (bits >= 160) return 80;
        return bits / 2;
    }

    /** A minimal DER reader over one constructed value's contents. */
    private static final class Der {
        private final byte[] b;
        private int pos;
        private final int end;

        Der(byte[] b) {
            this(b, 0, b.length);
        }

        private Der(byte[] b, int pos, int end) {
            this.b = b;
            this.pos = pos;
            this.end = end;
        }

        boolean hasMore() {
            return pos < end;
        }

        int peekTag() {
            if (pos >= end) throw new IllegalArgumentException("truncated DER");
            return b[pos] & 0xFF;
        }

        /** Reads one TLV of the given tag; returns {contentStart, contentEnd}. */
        private int[] tlv(int tag) {
            if (peekTag() != tag) throw new IllegalArgumentException("DER tag " + peekTag() + ", expected " + tag);
            pos++;
            if (pos >= end) throw new IllegalArgumentException("truncated DER");
            int len = b[pos++] & 0xFF;
            if (len >= 0x80) {
                int n = len & 0x7F;
                if (n == 0 || n > 4) throw new IllegalArgumentException("bad DER length");
                len = 0;
                for (int i = 0; i < n; i++) {
                    if (pos >= end) throw new IllegalArgumentException("truncated DER");
                    len = (len << 8) | (b[pos++] & 0xFF);
                }
            }
            if (len < 0 || len > end - pos) throw new IllegalArgumentException("DER length past end");
            int[] r = {pos, pos + len};
            pos += len;
            return r;
        }

        Der sequence() {
            int[] r = tlv(0x30);
            return new Der(b, r[0], r[1]);
        }

        /** An explicit [n] tagged value (any context-specific constructed tag). */
        Der explicit() {
            int[] r = tlv(peekTag());
            return new Der(b, r[0], r[1]);
        }

        BigInteger integer() {
            int[] r = tlv(0x02);
            if (r[1] == r[0]) throw new IllegalArgumentException("empty DER integer");
            byte[] v = new byte[r[1] - r[0]];
            System.arraycopy(b, r[0], v, 0, v.length);
            return new BigInteger(v);
        }

        byte[] octets() {
            int[] r = tlv(0x04);
            byte[] v = new byte[r[1] - r[0]];
            System.arraycopy(b, r[0], v, 0, v.length);
            return v;
        }

        String oid() {
            int[] r = tlv(0x06);
            StringBuilder sb = new StringBuilder();
            long v = 0;
            boolean first = true;
            for (int i = r[0]; i < r[1]; i++) {
                v = (v << 7) | (b[i] & 0x7F);
                if ((b[i] & 0x80) != 0) continue;
                if (first) {
                    int a = v < 40 ? 0 : v < 80 ? 1 : 2;
                    sb.append(a).append('.').append(v - 40L * a);
                    first = false;
                } else {
                    sb.append('.').append(v);
                }
                v = 0;
            }
            return sb.toString();
        }
    }

    /** RFC 4251 wire types. */
    private static final class Ssh {
        private final byte[] b;
        private int pos;

        Ssh(byte[] b) {
            this.b = b;
        }

        int u8() {
            if (pos >= b.length) throw new IllegalArgumentException("truncated key");
            return b[pos++];
        }

        long u32() {
            if (pos + 4 > b.length) throw new IllegalArgumentException("truncated key");
            long v = ((b[pos] & 0xFFL) << 24) | ((b[pos + 1] & 0xFF) << 16) | ((b[pos + 2] & 0xFF) << 8) | (b[pos + 3] & 0xFF);
            pos += 4;
            return v;
        }

        byte[] string() {
            long n = u32();
            if (n > b.length - pos) throw new IllegalArgumentException("truncated key");
            byte[] v = new byte[(int) n];
            System.arraycopy(b, pos, v, 0, v.length);
            pos += v.length;
            return v;
        }

        String text() {
            return new String(string(), StandardCharsets.UTF_8);
        }
    }
}
