package io.tunnelplane.control;

import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/** Runs engine side effects (disconnects) only once the change that causes them is committed (or ended). */
public final class TransactionHooks {
    private TransactionHooks() {
    }

    /** Runs {@code action} once the current transaction committed; at once without one. */
    public static void afterCommit(Runnable action) {
        register(action, true);
    }

    /** Runs {@code action} once the current transaction ended, committed or rolled back; at once without one. */
    public static void afterCompletion(Runnable action) {
        register(action, false);
    }

    private static void register(Runnable action, boolean onlyOnCommit) {
        if (!TransactionSynchronizationManager.isSynchronizationActive()) {
            action.run();
            return;
        }
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                if (onlyOnCommit) {
                    action.run();
                }
            }

            @Override
            public void afterCompletion(int status) {
                if (!onlyOnCommit) {
                    action.run();
                }
            }
        });
    }
}
