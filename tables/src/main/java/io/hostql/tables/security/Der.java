package io.hostql.tables.security;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A minimal DER reader: the parts of a certificate the JDK parses but does not expose as OpenSSL
 * prints them (the raw string types of a Name, extension contents, the key's parameters).
 */
final class Der {
    static final int INTEGER = 0x02, BIT_STRING = 0x03, OCTET_STRING = 0x04, OID = 0x06, SEQUENCE = 0x30, SET = 0x31;

    /** One element: its tag byte, where its encoding starts and ends, and where its contents start. */
    record Element(byte[] buf, int tag, int start, int contentStart, int end) {
        byte[] contents() {
            return Arrays.copyOfRange(buf, contentStart, end);
        }

        byte[] encoded() {
            return Arrays.copyOfRange(buf, start, end);
        }

        int length() {
            return end - contentStart;
        }

        /** The elements inside a constructed element. */
        List<Element> children() {
            List<Element> out = new ArrayList<>();
            int p = contentStart;
            while (p < end) {
                Element e = read(buf, p, end);
                out.add(e);
                p = e.end;
            }
            return out;
        }

        /** The element its contents hold (an OCTET STRING or BIT STRING wrapping DER). */
        Element inner() {
            int from = tag == BIT_STRING ? contentStart + 1 : contentStart;
            return read(buf, from, end);
        }

        String oid() {
            if (tag != OID) throw new IllegalArgumentException("not an OBJECT IDENTIFIER (tag " + tag + ")");
            return oidText(buf, contentStart, end);
        }

        BigInteger integer() {
            return new BigInteger(contents());
        }
    }

    private Der() {}

    static Element read(byte[] buf) {
        return read(buf, 0, buf.length);
    }

    /** The element at offset p, which must end by limit. */
    static Element read(byte[] buf, int p, int limit) {
        if (p + 2 > limit) throw new IllegalArgumentException("DER element truncated at " + p);
        int tag = buf[p] & 0xff;
        if ((tag & 0x1f) == 0x1f) throw new IllegalArgumentException("multi-byte DER tag at " + p);
        int lenByte = buf[p + 1] & 0xff;
        int q = p + 2;
        long len;
        if (lenByte < 0x80) {
            len = lenByte;
        } else {
            int n = lenByte & 0x7f;
            if (n == 0 || n > 4 || q + n > limit) throw new IllegalArgumentException("bad DER length at " + p);
            len = 0;
            for (int i = 0; i < n; i++) len = (len << 8) | (buf[q++] & 0xff);
        }
        if (q + len > limit) throw new IllegalArgumentException("DER element at " + p + " overruns its container");
        return new Element(buf, tag, p, q, (int) (q + len));
    }

    /** The length of the DER element at the start of buf (to cut trailing data, e.g. a trusted certificate's aux). */
    static int encodedLength(byte[] buf) {
        return read(buf, 0, buf.length).end();
    }

    static String oidText(byte[] b, int from, int to) {
        StringBuilder sb = new StringBuilder();
        BigInteger v = BigInteger.ZERO;
        boolean first = true;
        for (int i = from; i < to; i++) {
            v = v.shiftLeft(7).or(BigInteger.valueOf(b[i] & 0x7f));
            if ((b[i] & 0x80) != 0) continue;
            if (first) {
                int a = v.compareTo(BigInteger.valueOf(80)) >= 0 ? 2 : v.intValue() / 40;
                sb.append(a).append('.').append(v.subtract(BigInteger.valueOf(40L * a)));
                first = false;
            } else {
                sb.append('.').append(v);
            }
            v = BigInteger.ZERO;
        }
        return sb.toString();
    }
}
