package io.tunnelplane.server.vhost;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ClientHelloSniTest {

    @Test
    void theServerNameOfARealClientHelloIsFoundAndTruncationsAskForMore() throws Exception {
        byte[] hello = clientHello("shop.example.test");
        ByteBuf whole = Unpooled.wrappedBuffer(hello);
        assertThat(ClientHelloSni.serverName(whole)).isEqualTo("shop.example.test");
        assertThat(whole.readerIndex()).as("nothing consumed").isZero();
        for (int cut = 0; cut < hello.length; cut += 7) {
            assertThat(ClientHelloSni.serverName(Unpooled.wrappedBuffer(hello, 0, cut)))
                    .isEqualTo(ClientHelloSni.NEED_MORE);
        }
    }

    @Test
    void plainHttpIsNotTls() {
        assertThat(ClientHelloSni.serverName(Unpooled.copiedBuffer("GET / HTTP/1.1\r\n\r\n".getBytes())))
                .isEqualTo(ClientHelloSni.NOT_TLS);
    }

    @Test
    void mutatedHellosNeverThrow() throws Exception {
        byte[] hello = clientHello("shop.example.test");
        Random random = new Random(1);
        for (int i = 0; i < 20_000; i++) {
            byte[] mutated = hello.clone();
            for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
                mutated[random.nextInt(mutated.length)] = (byte) random.nextInt();
            }
            String name = ClientHelloSni.serverName(Unpooled.wrappedBuffer(mutated, 0,
                    random.nextInt(mutated.length + 1)));
            assertThat(name).isNotNull();
        }
    }

    /** The bytes a real TLS client sends first, with {@code serverName} as SNI. */
    private static byte[] clientHello(String serverName) throws Exception {
        SslContext context = SslContextBuilder.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE).build();
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.pipeline().addLast(context.newHandler(channel.alloc(), serverName, 443));
        ByteBuf out = Unpooled.buffer();
        ByteBuf part;
        while ((part = channel.readOutbound()) != null) {
            out.writeBytes(part);
            part.release();
        }
        channel.finishAndReleaseAll();
        byte[] bytes = new byte[out.readableBytes()];
        out.readBytes(bytes);
        out.release();
        return bytes;
    }
}
