package io.tunnelplane.control.runtime;

import java.time.Instant;

/**
 * What a client's sessions on this node did over one sampling period ending {@code at}: the bytes per second
 * relayed from visitors ({@code in}) and to them ({@code out}), and the worst of its connections' last RTTs.
 *
 * @param rttMicros null while no connection has measured one
 */
public record TrafficSample(Instant at, Long rttMicros, long bytesInPerSecond, long bytesOutPerSecond) {
}
