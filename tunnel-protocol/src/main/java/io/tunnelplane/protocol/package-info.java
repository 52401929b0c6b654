/**
 * The tunnel wire protocol shared by server and agent: the login handshake, HTTP/2 multiplexing with the roles
 * reversed (the server opens streams), the byte relay between a TCP connection and a stream, the control stream
 * messages and the keepalive state machine. Depends on Netty only: no Spring, no persistence.
 */
package io.tunnelplane.protocol;
