package io.hostql.tables.security;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * OpenSSL's text forms of an X.509 Name, from its DER, as osquery's certificates table shows them:
 * {@link #oneline} is X509_NAME_oneline ({@code /C=US/O=Org/CN=Name}, the deprecated subject and
 * issuer columns) and {@link #printOneline} is X509_NAME_print_ex with XN_FLAG_ONELINE
 * ({@code C = US, O = Org, CN = Name}, subject2 and issuer2; what {@code openssl x509 -subject
 * -nameopt oneline} prints). Both are byte-exact with OpenSSL 3: escapes, quoting and multi-valued
 * RDNs included.
 */
final class X509Names {
    private X509Names() {}

    /** OpenSSL's short names of the attribute types found in names (obj_dat.h); others print as dotted OIDs. */
    static final Map<String, String> SHORT_NAMES = Map.ofEntries(
            Map.entry("2.5.4.3", "CN"), Map.entry("2.5.4.4", "SN"), Map.entry("2.5.4.5", "serialNumber"),
            Map.entry("2.5.4.6", "C"), Map.entry("2.5.4.7", "L"), Map.entry("2.5.4.8", "ST"), Map.entry("2.5.4.9", "street"),
            Map.entry("2.5.4.10", "O"), Map.entry("2.5.4.11", "OU"), Map.entry("2.5.4.12", "title"),
            Map.entry("2.5.4.13", "description"), Map.entry("2.5.4.15", "businessCategory"),
            Map.entry("2.5.4.16", "postalAddress"), Map.entry("2.5.4.17", "postalCode"), Map.entry("2.5.4.18", "postOfficeBox"),
            Map.entry("2.5.4.20", "telephoneNumber"), Map.entry("2.5.4.41", "name"), Map.entry("2.5.4.42", "GN"),
            Map.entry("2.5.4.43", "initials"), Map.entry("2.5.4.44", "generationQualifier"),
            Map.entry("2.5.4.45", "x500UniqueIdentifier"), Map.entry("2.5.4.46", "dnQualifier"),
            Map.entry("2.5.4.65", "pseudonym"), Map.entry("2.5.4.72", "role"), Map.entry("2.5.4.97", "organizationIdentifier"),
            Map.entry("1.2.840.113549.1.9.1", "emailAddress"), Map.entry("1.2.840.113549.1.9.2", "unstructuredName"),
            Map.entry("1.2.840.113549.1.9.8", "unstructuredAddress"),
            Map.entry("0.9.2342.19200300.100.1.1", "UID"), Map.entry("0.9.2342.19200300.100.1.25", "DC"),
            Map.entry("1.3.6.1.4.1.311.60.2.1.1", "jurisdictionL"), Map.entry("1.3.6.1.4.1.311.60.2.1.2", "jurisdictionST"),
            Map.entry("1.3.6.1.4.1.311.60.2.1.3", "jurisdictionC"));

    static final int UTF8 = 12, NUMERIC = 18, PRINTABLE = 19, T61 = 20, IA5 = 22, UTC_TIME = 23, GENERALIZED_TIME = 24,
            ISO64 = 26, UNIVERSAL = 28, BMP = 30;

    /** One attribute of a name: its type, its value's tag and raw content bytes, and whether it continues a multi-valued RDN. */
    record Attribute(String oid, int tag, byte[] value, byte[] encodedValue, boolean continuesRdn) {
        String shortName() {
            return SHORT_NAMES.getOrDefault(oid, oid);
        }
    }

    /** The attributes of a DER Name, in encoding order. */
    static List<Attribute> parse(byte[] der) {
        java.util.ArrayList<Attribute> out = new java.util.ArrayList<>();
        for (Der.Element rdn : Der.read(der).children()) {
            boolean first = true;
            for (Der.Element ava : rdn.children()) {
                List<Der.Element> tv = ava.children();
                Der.Element v = tv.get(1);
                out.add(new Attribute(tv.get(0).oid(), v.tag(), v.contents(), v.encoded(), !first));
                first = false;
            }
        }
        return out;
    }

    /** X509_NAME_oneline. */
    static String oneline(byte[] der) {
        List<Attribute> attrs = parse(der);
        StringBuilder sb = new StringBuilder();
        for (Attribute a : attrs) {
            sb.append(a.continuesRdn() ? '+' : '/').append(a.shortName()).append('=');
            for (byte b : a.value()) {
                int c = b & 0xff;
                if (c < ' ' || c > '~') sb.append("\\x").append(hex2(c));
                else if (c == '/' || c == '+') sb.append('\\').append((char) c);
                else sb.append((char) c);
            }
        }
        return sb.toString();
    }

    /** X509_NAME_print_ex(..., XN_FLAG_ONELINE). */
    static String printOneline(byte[] der) {
        StringBuilder sb = new StringBuilder();
        boolean firstAttr = true;
        for (Attribute a : parse(der)) {
            if (!firstAttr) sb.append(a.continuesRdn() ? " + " : ", ");
            firstAttr = false;
            sb.append(a.shortName()).append(" = ").append(printValue(a));
        }
        return sb.toString();
    }

    /** One value as ASN1_STRFLGS_RFC2253 | ASN1_STRFLGS_ESC_QUOTE prints it. */
    static String printValue(Attribute a) {
        byte[] utf8 = asUtf8(a.tag(), a.value());
        if (utf8 == null) {
            // ASN1_STRFLGS_DUMP_UNKNOWN | DUMP_DER: a type that is not a string is dumped as '#' and its DER in hex
            StringBuilder sb = new StringBuilder("#");
            for (byte b : a.encodedValue()) sb.append(hex2(b & 0xff));
            return sb.toString();
        }
        StringBuilder sb = new StringBuilder();
        boolean quote = false;
        for (int i = 0; i < utf8.length; i++) {
            int c = utf8[i] & 0xff;
            boolean edge = (i == 0 && (c == ' ' || c == '#')) || (i == utf8.length - 1 && c == ' ');
            if (c < 0x20 || c >= 0x7f) {
                sb.append('\\').append(hex2(c));
            } else if (c == '"' || c == '\\') {
                sb.append('\\').append((char) c);
            } else {
                if (edge || c == ',' || c == '+' || c == ';' || c == '<' || c == '>') quote = true;
                sb.append((char) c);
            }
        }
        return quote ? "\"" + sb + "\"" : sb.toString();
    }

    /** A string value as UTF-8 bytes (UTF8String as is, others by their character width), or null if not a string type. */
    static byte[] asUtf8(int tag, byte[] v) {
        switch (tag) {
            case UTF8:
                return v;
            case NUMERIC, PRINTABLE, T61, IA5, UTC_TIME, GENERALIZED_TIME, ISO64:
                // one byte per character, each taken as a code point (Latin-1), converted to UTF-8
                return new String(v, StandardCharsets.ISO_8859_1).getBytes(StandardCharsets.UTF_8);
            case BMP:
                if (v.length % 2 != 0) return null;
                return new String(v, StandardCharsets.UTF_16BE).getBytes(StandardCharsets.UTF_8);
            case UNIVERSAL: {
                if (v.length % 4 != 0) return null;
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < v.length; i += 4) {
                    int cp = ((v[i] & 0xff) << 24) | ((v[i + 1] & 0xff) << 16) | ((v[i + 2] & 0xff) << 8) | (v[i + 3] & 0xff);
                    if (!Character.isValidCodePoint(cp)) return null;
                    sb.appendCodePoint(cp);
                }
                return sb.toString().getBytes(StandardCharsets.UTF_8);
            }
            default:
                return null;
        }
    }

    /** The text of the first attribute of the given type, decoded; null if there is none or it is empty. */
    static String first(byte[] der, String oid) {
        for (Attribute a : parse(der)) {
            if (!a.oid().equals(oid)) continue;
            if (a.value().length == 0) return null;
            byte[] utf8 = asUtf8(a.tag(), a.value());
            return new String(utf8 != null ? utf8 : a.value(), StandardCharsets.UTF_8);
        }
        return null;
    }

    static String hex2(int c) {
        return "" + Character.toUpperCase(Character.forDigit(c >> 4, 16)) + Character.toUpperCase(Character.forDigit(c & 15, 16));
    }
}
