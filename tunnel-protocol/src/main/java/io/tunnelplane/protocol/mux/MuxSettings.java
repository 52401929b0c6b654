package io.tunnelplane.protocol.mux;

/**
 * HTTP/2 settings of a tunnel session. Windows bound what one stream (and the whole session) may have in flight,
 * which is what keeps a slow reader from making either side buffer without bound.
 *
 * @param streamWindowBytes     initial per-stream flow-control window
 * @param maxStreamWindowBytes  what a stream's window may grow to while its reader keeps up (see {@link StreamWindows})
 * @param connectionWindowBytes connection-level window shared by all streams
 * @param maxFrameBytes         largest DATA frame we accept (large frames cost less per byte)
 * @param maxConcurrentStreams  streams the peer may open toward us at once
 */
public record MuxSettings(int streamWindowBytes, int maxStreamWindowBytes, int connectionWindowBytes, int maxFrameBytes,
        long maxConcurrentStreams) {
    public static final MuxSettings DEFAULTS = new MuxSettings(1 << 20, 8 << 20, 16 << 20, 64 * 1024, 10_000);

    public MuxSettings {
        if (streamWindowBytes < 65_535 || maxStreamWindowBytes < streamWindowBytes
                || connectionWindowBytes < maxStreamWindowBytes) {
            throw new IllegalArgumentException(
                    "windows must be >= 65535 and stream window <= max stream window <= connection window");
        }
        if (maxFrameBytes < 16_384 || maxFrameBytes > 16_777_215) {
            throw new IllegalArgumentException("maxFrameBytes must be within 16384..16777215");
        }
    }
}
