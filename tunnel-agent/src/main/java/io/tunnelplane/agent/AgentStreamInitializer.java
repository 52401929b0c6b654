package io.tunnelplane.agent;

import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.tunnelplane.protocol.mux.StreamReadBatching;

/** Sets up each stream the server opens: reading is manual so nothing is consumed before we know where it goes. */
final class AgentStreamInitializer extends ChannelInitializer<Http2StreamChannel> {
    private final AgentState state;
    private final AgentMetrics metrics;

    AgentStreamInitializer(AgentState state, AgentMetrics metrics) {
        this.state = state;
        this.metrics = metrics;
    }

    @Override
    protected void initChannel(Http2StreamChannel stream) {
        stream.config().setAutoRead(false);
        stream.config().setRecvByteBufAllocator(StreamReadBatching.INSTANCE);
        stream.pipeline().addLast(StreamRouter.NAME, new StreamRouter(state));
    }
}
