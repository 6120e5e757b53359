/**
 * osquery's TLS remote API, client side ({@code ../shared/reference/osquery-tls-remote-api.md}).
 * Sub-packages by concept: the HTTPS transport, enrollment and the node key, config over TLS,
 * distributed queries, carving. The daemon wires them; this module knows nothing of the daemon.
 */
package io.hostql.remote;
