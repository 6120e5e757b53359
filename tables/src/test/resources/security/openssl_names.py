# Witness for the certificates table: for each certificate of a PEM file, in file order, what
# OpenSSL's own functions return, called in libcrypto through ctypes: X509_NAME_oneline (subject,
# issuer), X509_NAME_print_ex with XN_FLAG_ONELINE (subject2, issuer2), X509_check_ca (ca) and
# X509_check_issued(x, x) (self_signed). One line per certificate:
#   sha1-hex TAB subject TAB issuer TAB subject2 TAB issuer2 TAB check_ca TAB check_issued
import ctypes, hashlib, ssl, sys, re

c = ctypes.CDLL("libcrypto.so.3")
c.d2i_X509.restype = ctypes.c_void_p
c.d2i_X509.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_char_p), ctypes.c_long]
for f in ("X509_get_subject_name", "X509_get_issuer_name"):
    getattr(c, f).restype = ctypes.c_void_p
    getattr(c, f).argtypes = [ctypes.c_void_p]
c.X509_NAME_oneline.restype = ctypes.c_void_p
c.X509_NAME_oneline.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
c.X509_check_issued.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
c.CRYPTO_free.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
c.X509_free.argtypes = [ctypes.c_void_p]
c.X509_check_ca.argtypes = [ctypes.c_void_p]
c.BIO_s_mem.restype = ctypes.c_void_p
c.BIO_new.restype = ctypes.c_void_p
c.BIO_new.argtypes = [ctypes.c_void_p]
c.BIO_ctrl.restype = ctypes.c_long
c.BIO_ctrl.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_long, ctypes.c_void_p]
c.BIO_free.argtypes = [ctypes.c_void_p]
c.X509_NAME_print_ex.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int, ctypes.c_ulong]
XN_FLAG_ONELINE = 0x31f | 0x20000 | 0x800000  # ASN1_STRFLGS_RFC2253 | ESC_QUOTE | SEP_CPLUS_SPC | SPC_EQ | FN_SN


def print_ex(name):
    bio = c.BIO_new(c.BIO_s_mem())
    c.X509_NAME_print_ex(bio, name, 0, XN_FLAG_ONELINE)
    data = ctypes.c_char_p()
    n = c.BIO_ctrl(bio, 3, 0, ctypes.byref(data))  # BIO_get_mem_data
    out = ctypes.string_at(data, n)
    c.BIO_free(bio)
    return out

text = open(sys.argv[1], encoding="latin-1").read()
out = sys.stdout.buffer
for pem in re.findall(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", text, re.S):
    der = ssl.PEM_cert_to_DER_cert(pem)
    p = ctypes.c_char_p(der)
    x = c.d2i_X509(None, ctypes.byref(p), len(der))
    if not x:
        continue
    fields = [hashlib.sha1(der).hexdigest().encode()]
    for get in (c.X509_get_subject_name, c.X509_get_issuer_name):
        s = c.X509_NAME_oneline(get(x), None, 0)
        fields.append(ctypes.string_at(s))
        c.CRYPTO_free(s, None, 0)
    fields.append(print_ex(c.X509_get_subject_name(x)))
    fields.append(print_ex(c.X509_get_issuer_name(x)))
    fields.append(str(c.X509_check_ca(x)).encode())
    fields.append(str(c.X509_check_issued(x, x)).encode())
    c.X509_free(x)
    out.write(b"\t".join(fields) + b"\n")
