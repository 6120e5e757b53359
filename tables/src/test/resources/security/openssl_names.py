# Witness for the certificates table: for each certificate of a PEM file, what OpenSSL's own
# X509_NAME_oneline (the subject and issuer columns) and X509_check_issued(x, x) (self_signed)
# return, called in libcrypto through ctypes. One line per certificate:
#   sha1-hex TAB subject TAB issuer TAB check_issued-result
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
    fields.append(str(c.X509_check_issued(x, x)).encode())
    c.X509_free(x)
    out.write(b"\t".join(fields) + b"\n")
