package io.tunnelplane.server.proxy;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;

/**
 * Moves a visitor connection accepted on one event loop onto the loop of the session that will carry it, so its
 * relay shares that session's thread. Reading is off (auto-read false) until the relay starts, so nothing is lost
 * while the channel is between loops.
 */
public final class VisitorMove {
    private VisitorMove() {
    }

    /** Runs {@code then} on {@code target} with the visitor registered there; {@code failed} if the move failed. */
    public static void onto(Channel visitor, EventLoop target, Runnable then, Runnable failed) {
        if (visitor.eventLoop() == target) {
            then.run();
            return;
        }
        visitor.deregister().addListener(deregistered -> {
            if (!deregistered.isSuccess()) {
                failed.run();
                visitor.close();
                return;
            }
            target.register(visitor).addListener(registered -> {
                if (!registered.isSuccess()) {
                    target.execute(failed);
                    visitor.close();
                    return;
                }
                then.run();
            });
        });
    }
}
