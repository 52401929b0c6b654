package io.tunnelplane.control.console;

import io.tunnelplane.control.proxy.ProxyView;

/** A line of the proxies page: the proxy and whose it is. */
public record ProxyRow(String client, ProxyView proxy) {
}
