#!/bin/sh
# Witness for the certificates table: openssl's view of each certificate of a PEM file. The file is
# split with openssl itself (crl2pkcs7 | pkcs7 -print_certs); for each certificate a "== N" line,
# then openssl x509's subject and issuer (-nameopt oneline), serial, SHA-1 fingerprint and purposes.
set -e
file=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
openssl crl2pkcs7 -nocrl -certfile "$file" | openssl pkcs7 -print_certs \
  | awk -v d="$dir" '/-----BEGIN CERTIFICATE-----/ { n++; f = sprintf("%s/c%05d.pem", d, n) } f { print > f } /-----END CERTIFICATE-----/ { close(f); f = "" }'
for f in "$dir"/c*.pem; do
  echo "== $f"
  openssl x509 -in "$f" -noout -nameopt oneline -subject -issuer -serial -fingerprint -sha1 -purpose
done
